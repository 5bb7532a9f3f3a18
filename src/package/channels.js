// `pusher.channels`: the channel objects by name. Laravel Echo reads `channels.channels[name]`.

export class Channels {
  constructor() {
    /** The channel objects, by name. */
    this.channels = {};
  }

  /** The channel named `name`, or undefined. */
  find(name) {
    return this.channels[name];
  }

  /** Every channel object, in subscription order. */
  all() {
    return Object.values(this.channels);
  }
}
