// Checks that pusher-wasm's types are real types, not `any`: each `@ts-expect-error` line must
// fail to compile (tsc reports an unused `@ts-expect-error` otherwise), and the type assertions
// must hold. Compiled against ours only (tsconfig.ours-only.json maps `pusher-wasm` to
// src/package/index.d.ts). Nothing here runs.

import Pusher, {
  Pusher as NamedPusher,
  Channel,
  Channels,
  ConnectionManager,
  ConnectionError,
  ConnectionState,
  Members,
  Member,
  Resumed,
  Metadata,
  Options,
  PresenceChannel,
  StateChange,
} from 'pusher-wasm';

type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
function assert<T extends true>(): void {}

const pusher = new Pusher('app-key', { cluster: 'eu' });
const channel = pusher.subscribe('orders');

// ----- the exports -----

assert<Equals<typeof NamedPusher, typeof Pusher>>();
assert<Equals<InstanceType<typeof Pusher>, Pusher>>();
assert<Equals<IsAny<Pusher>, false>>();
assert<Equals<IsAny<Channel>, false>>();
assert<Equals<IsAny<Options>, false>>();

// ----- construction -----

// @ts-expect-error the app key and options are required
new Pusher();
// @ts-expect-error the options are required
new Pusher('app-key');
// @ts-expect-error `cluster` is required, as in pusher-js
new Pusher('app-key', {});
// @ts-expect-error ports are numbers
new Pusher('app-key', { cluster: '', wsPort: '8080' });
// @ts-expect-error transports are pusher-js's names
new Pusher('app-key', { cluster: '', enabledTransports: ['websocket'] });
// @ts-expect-error channel objects come from subscribe()
new Channel();
// @ts-expect-error the connection comes from pusher.connection
new ConnectionManager();
// @ts-expect-error pusher.channels
new Channels();
// @ts-expect-error presenceChannel.members
new Members();

// ----- statics -----

// @ts-expect-error a boolean
Pusher.logToConsole = 'yes';
// @ts-expect-error a function of one message
Pusher.log = 5;
Pusher.log = undefined;
assert<Equals<typeof Pusher.instances, Pusher[]>>();

// ----- connection -----

assert<Equals<typeof pusher.connection.state, ConnectionState>>();
assert<Equals<typeof pusher.connection.socket_id, string>>();
// @ts-expect-error the state is read-only, and a state name
pusher.connection.state = 5;
// @ts-expect-error read-only: it reflects the connection
pusher.connection.state = 'connected';
// @ts-expect-error not one of the six states
if (pusher.connection.state === 'reconnecting') console.log('never');

// Callbacks of the protocol's events get typed parameters without annotations.
pusher.connection.bind('state_change', ({ previous, current }) => {
  assert<Equals<typeof previous, ConnectionState>>();
  assert<Equals<typeof current, ConnectionState>>();
});
pusher.connection.bind('state_change', (change: StateChange) => console.log(change.current));
pusher.connection.bind('connected', ({ socket_id }) => socket_id.toUpperCase());
pusher.connection.bind('connecting_in', (seconds) => seconds.toFixed(0));
pusher.connection.bind('message', (event) => event.event.toUpperCase());
pusher.connection.bind('error', (error: ConnectionError) => {
  switch (error.type) {
    case 'PusherError':
      assert<Equals<typeof error.data.code, number | null | undefined>>();
      break;
    case 'MessageParseError':
      console.log(error.data);
      break;
    case 'WebSocketError':
    case 'HandshakeError':
      console.log(error.error);
      break;
    default:
      assert<Equals<typeof error, never>>();
  }
});
// @ts-expect-error `current` is a state name, not a number
pusher.connection.bind('state_change', ({ current }) => Math.abs(current));
// @ts-expect-error the callback must be a function
pusher.connection.bind('state_change', 'not a function');
// @ts-expect-error unbind_all takes nothing on the connection
pusher.connection.unbind_all(() => {});

// ----- channels -----

assert<Equals<typeof channel, Channel>>();
assert<Equals<typeof channel.pusher, Pusher>>();
assert<Equals<typeof channel.subscriptionCount, number | null>>();
assert<Equals<ReturnType<typeof channel.trigger>, boolean>>();
assert<Equals<typeof pusher.channels.channels, Record<string, Channel>>>();
// @ts-expect-error trigger needs an event name and data
channel.trigger();
// @ts-expect-error trigger needs data
channel.trigger('client-x');
// @ts-expect-error channel names are strings
pusher.subscribe(5);
// @ts-expect-error read-only
channel.subscribed = true;
// @ts-expect-error read-only
channel.name = 'other';
// @ts-expect-error the callback must be a function
channel.bind('x', 5);

// Chaining keeps the type.
const chained: Channel = channel.bind('a', () => {}).bind('b', () => {}).unbind('a');
const chainedPusher: Pusher = pusher.bind('a', () => {}).unbind_global();
// Channel event callbacks get (data, metadata).
channel.bind('created', (data, metadata) => {
  assert<Equals<IsAny<typeof data>, true>>();
  assert<Equals<typeof metadata, Metadata>>();
});
channel.bind('pusher:subscription_count', ({ subscription_count }) => subscription_count.toFixed(0));
channel.bind_global((event, data) => console.log(event.toUpperCase(), data));

// ----- presence -----

const presence = pusher.subscribe('presence-room') as PresenceChannel;
presence.bind('pusher:subscription_succeeded', (members) => {
  assert<Equals<typeof members, Members>>();
  members.each((member) => assert<Equals<typeof member, Member>>());
});
presence.bind('pusher:member_added', (member) => member.id.toUpperCase());
assert<Equals<typeof presence.members.count, number>>();
// @ts-expect-error a member id is a string
presence.bind('pusher:member_removed', (member) => member.id.toFixed());

// ----- the gap signal -----

pusher.subscribe('orders').bind('pusher-wasm:resumed', (resumed) => {
  assert<Equals<typeof resumed, Resumed>>();
  if (!resumed.recovered) console.log(`missed up to ${resumed.gapMs.toFixed()} ms of events`);
});
// @ts-expect-error `recovered` is a boolean
pusher.subscribe('orders').bind('pusher-wasm:resumed', (resumed) => resumed.recovered.toFixed());

// ----- connection recovery -----

const recovering = new Pusher('app-key', { cluster: '', wsHost: 'localhost', connectionRecovery: true });
assert<Equals<Options['connectionRecovery'], boolean | undefined>>();
recovering.subscribe('orders').bind('pusher-wasm:resumed', ({ recovered, replayed }) => {
  if (recovered) console.log(`${replayed.toFixed()} missed events follow`);
});
// @ts-expect-error the option is true or false
new Pusher('app-key', { cluster: '', connectionRecovery: 'yes' });

// ----- the rest of the client -----

assert<Equals<ReturnType<typeof pusher.send_event>, boolean>>();
assert<Equals<ReturnType<typeof pusher.shouldUseTLS>, boolean>>();
// @ts-expect-error send_event needs an event name and data
pusher.send_event();
// @ts-expect-error read-only
pusher.key = 'other';
// @ts-expect-error no such method
pusher.switchCluster({ appKey: 'k', cluster: 'eu' });

export { chained, chainedPusher };
