// pusher-js code from a project without `strict`: callbacks unannotated, as in Pusher's docs.
// With pusher-js's `Function` callbacks their parameters are `any`; ours type the payloads of
// the protocol's own events (via overloads), so code using them as what they are must keep
// compiling (a payload used as another type, e.g. a count passed where a string is expected,
// is reported, as with any typed API). Compiled with `strict: false` against both pusher-js
// (tsconfig.loose-pusher-js.json) and ours (tsconfig.loose-ours.json). Nothing here runs.

import Pusher from 'pusher-js';

declare function render(text: string): void;

const pusher = new Pusher('app-key', { cluster: 'eu' });

// Pusher's documentation, "Connection" page.
pusher.connection.bind('error', function (err) {
  if (err.error.data.code === 4004) {
    render('Over limit!');
  }
});
pusher.connection.bind('error', (err) => render(err.data && err.data.message));
pusher.connection.bind('state_change', function (states) {
  render(states.previous + ' -> ' + states.current);
});
pusher.connection.bind('connected', (info) => render(info.socket_id));
pusher.connection.bind('connecting_in', (delay) => render('retry in ' + delay.toFixed(0) + 's'));
pusher.connection.bind('message', (msg) => render(msg.event + JSON.stringify(msg.data.anything)));
pusher.connection.bind_global((name, data) => render(name + data));

const channel = pusher.subscribe('orders');
channel.bind('created', function (data, metadata) {
  render(data.order.id + (metadata && metadata.user_id));
});
channel.bind('created', function (data) {
  render(this.prefix + data);
}, { prefix: '>' });
channel.bind('pusher:subscription_succeeded', (data) => render(data));
channel.bind('pusher:subscription_error', (error) => render(error.status + error.error));
channel.bind('pusher:subscription_count', (data) => render('count ' + data.subscription_count));
channel.bind_global((event, data) => render(event + data));

const presence: any = pusher.subscribe('presence-room');
presence.bind('pusher:subscription_succeeded', function (members) {
  members.each((member) => render(member.info.name));
});

pusher.bind('notice', (data) => render(data.text));
pusher.bind_global((event, data) => render(event + data));
pusher.user.bind('notice', (data) => render(data.text));
pusher.user.watchlist.bind('online', (event) => render(event.user_ids.join()));
