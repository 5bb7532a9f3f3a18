// The client-event rate guard: the protocol allows 10 client events per second, and a server
// drops a connection that sends more (close code 4301). The guard refuses the excess instead, so
// the connection survives and the caller is told (README, difference 16). It decides for this
// instance, at once; a shared engine guards the connection all tabs share the same way.

export class RateGuard {
  /** At most `limit` events in any window of one second; 0 turns it off. */
  constructor(limit) {
    this.limit = limit;
    this.sentAt = [];
  }

  /** Whether an event may go at `now` (ms); if so, it is counted. */
  admit(now) {
    if (this.limit === 0) return true;
    const sent = this.sentAt;
    while (sent.length && now - sent[0] >= 1000) sent.shift();
    if (sent.length >= this.limit) return false;
    sent.push(now);
    return true;
  }
}
