// Code a pusher-js 8.6.0 user writes, typed against pusher-js. It imports `pusher-js` on purpose:
// tsconfig.pusher-js.json compiles it against the real pusher-js types, tsconfig.ours.json maps
// `pusher-js` to src/package/index.d.ts. Both must pass. Nothing here runs.

import Pusher, {
  Channel,
  Options,
  PresenceChannel,
  Members,
  ConnectionManager,
  ChannelAuthorizationOptions,
  ChannelAuthorizationHandler,
  ChannelAuthorizationCallback,
  UserAuthenticationOptions,
  UserAuthenticationHandler,
  UserAuthenticationCallback,
  DeprecatedAuthOptions,
  ChannelAuthorizerGenerator,
  AuthOptions,
  Authorizer,
  AuthorizerGenerator,
  AuthorizerCallback,
} from 'pusher-js';

declare const csrfToken: string;
declare function render(html: string): void;
declare function fetchJson(url: string, body: object): Promise<any>;

// ----- statics -----

Pusher.logToConsole = true;
Pusher.log = (message: any) => console.log(message);
const everyClient: Pusher[] = Pusher.instances;
const ready: boolean = Pusher.isReady;

// ----- options: Laravel Reverb, as Laravel's bootstrap files set it up -----

const reverbOptions: Options = {
  cluster: '',
  wsHost: 'localhost',
  wsPort: 8080,
  wssPort: 443,
  forceTLS: false,
  enabledTransports: ['ws', 'wss'],
  disableStats: true,
  activityTimeout: 30_000,
  pongTimeout: 10_000,
  unavailableTimeout: 5_000,
  channelAuthorization: {
    endpoint: '/broadcasting/auth',
    transport: 'ajax',
    headers: { 'X-CSRF-TOKEN': csrfToken },
    params: { extra: 1 },
    headersProvider: () => ({ Authorization: `Bearer ${localStorage.getItem('token')}` }),
  },
  userAuthentication: {
    endpoint: '/broadcasting/user-auth',
    transport: 'ajax',
  },
};
const pusher = new Pusher('app-key', reverbOptions);

// Pusher Channels, with the deprecated auth options.
const legacy = new Pusher('app-key', {
  cluster: 'eu',
  authEndpoint: '/pusher/auth',
  authTransport: 'jsonp',
  auth: { headers: { 'X-CSRF-Token': csrfToken }, params: { foo: 'bar' } },
});

// ----- channel authorization with a customHandler -----

const customHandler: ChannelAuthorizationHandler = ({ socketId, channelName }, callback) => {
  fetchJson('/api/broadcasting/auth', { socket_id: socketId, channel_name: channelName })
    .then((data) => callback(null, data))
    .catch((error: Error) => callback(error, null));
};
const channelAuthorization: ChannelAuthorizationOptions = { customHandler };
const userHandler: UserAuthenticationHandler = (params, callback: UserAuthenticationCallback) => {
  callback(null, { auth: `key:${params.socketId}`, user_data: JSON.stringify({ id: '1' }) });
};
const userAuthentication: UserAuthenticationOptions = { customHandler: userHandler };
const withHandlers = new Pusher('app-key', {
  cluster: 'mt1',
  channelAuthorization,
  userAuthentication,
});

// Inline, as the docs show it.
new Pusher('app-key', {
  cluster: 'mt1',
  channelAuthorization: {
    customHandler: (params, callback) => {
      callback(null, { auth: `${params.channelName}:${params.socketId}` });
    },
  },
});

// ----- the deprecated authorizer -----

const authorizer: ChannelAuthorizerGenerator = (channel, options) => ({
  authorize: (socketId: string, callback: ChannelAuthorizationCallback) => {
    fetchJson(options.authEndpoint, { socket_id: socketId, channel_name: channel.name })
      .then((data) => callback(null, data))
      .catch((error) => callback(new Error(String(error)), null));
  },
});
new Pusher('app-key', { cluster: 'mt1', authorizer });
new Pusher('app-key', {
  cluster: 'mt1',
  authorizer: (channel: Channel, options: any): Authorizer => ({
    authorize(socketId: string, callback: AuthorizerCallback) {
      callback(null, { auth: channel.name + socketId + options.authEndpoint });
    },
  }),
});
const oldGenerator: AuthorizerGenerator = authorizer;
const oldAuth: AuthOptions = { headers: { a: 'b' } };
const deprecatedAuth: DeprecatedAuthOptions = oldAuth;
void oldGenerator;
void deprecatedAuth;

// ----- connection -----

pusher.connection.bind('state_change', ({ previous, current }: { previous: string; current: string }) => {
  console.log(`connection: ${previous} -> ${current}`);
});
pusher.connection.bind('state_change', (states: any) => render(states.current));
pusher.connection.bind('connected', () => console.log('connected as', pusher.connection.socket_id));
pusher.connection.bind('error', (error: any) => {
  if (error.error && error.error.data && error.error.data.code === 4004) {
    console.log('Over the connection limit');
  }
});
pusher.connection.bind('unavailable', function () {
  render('offline');
});
const socketId: string = pusher.connection.socket_id;
const headers = { 'X-Socket-ID': pusher.connection.socket_id };
const state: string = pusher.connection.state;
if (pusher.connection.state === 'connected') {
  render('live');
}
const connection: ConnectionManager = pusher.connection;
connection.bind('message', (event: { event: string; data?: any }) => console.log(event.event));
connection.unbind('state_change');
connection.unbind();
const tls: boolean = connection.isUsingTLS();
connection.send_event('ping', {}) || connection.send_event('client-x', {}, 'private-x');

// ----- channels -----

const channel: Channel = pusher.subscribe('orders');
channel
  .bind('created', (order: { id: number }) => render(String(order.id)))
  .bind('updated', (order: any, metadata: any) => console.log(order, metadata.user_id))
  .bind('pusher:subscription_succeeded', () => render('subscribed'))
  .bind('pusher:subscription_error', (status: any) => console.error(status));

function onOrder(this: { prefix: string }, data: any) {
  console.log(this.prefix, data);
}
const ctx = { prefix: '>' };
channel.bind('shipped', onOrder, ctx);
channel.unbind('shipped', onOrder, ctx);
channel.unbind('shipped', onOrder);
channel.unbind('shipped');
channel.unbind(undefined, undefined, ctx);
channel.unbind();
channel.bind_global((eventName: string, data: any) => console.log(eventName, data));
channel.unbind_global();
channel.unbind_all();

const name: string = channel.name;
const subscribed: boolean = channel.subscribed;
const pending: boolean = channel.subscriptionPending;
const cancelled: boolean = channel.subscriptionCancelled;
const count = channel.subscriptionCount;
const owner: Pusher = channel.pusher;

const privateChannel = pusher.subscribe('private-chat');
privateChannel.bind('pusher:subscription_succeeded', () => {
  const sent: boolean = privateChannel.trigger('client-typing', { user: 'me' });
  void sent;
});
privateChannel.unsubscribe();
privateChannel.subscribe();

// ----- presence -----

const presence = pusher.subscribe('presence-room') as PresenceChannel;
presence.bind('pusher:subscription_succeeded', (members: Members) => {
  render(`${members.count} online`);
  members.each((member: any) => render(member.info.name));
  const me = members.me;
  const myId = members.myID;
  const someone = members.get('42');
  console.log(me, myId, someone, Object.keys(members.members));
});
presence.bind('pusher:member_added', (member: any) => render(member.id));
presence.bind('pusher:member_removed', (member: { id: string; info: any }) => render(member.id));
const members: Members = presence.members;
const total: number = presence.members.count;
const asChannel: Channel = presence;

// ----- the client -----

pusher
  .bind('global-event', (data: any) => console.log(data))
  .bind_global((eventName: string, data: any) => console.log(eventName, data));
pusher.unbind('global-event').unbind_global().unbind_all();
const found: Channel = pusher.channel('orders');
const all: Channel[] = pusher.allChannels();
const byName: Channel = pusher.channels.channels['orders'];
const viaFind: Channel = pusher.channels.find('orders');
const everyChannel: Channel[] = pusher.channels.all();
pusher.unsubscribe('orders');
const sentEvent: boolean = pusher.send_event('client-ping', { at: Date.now() }, 'private-chat');
const usesTls: boolean = pusher.shouldUseTLS();
const key: string = pusher.key;
const options: Options = pusher.options;
const wsHost: string | undefined = pusher.options.wsHost;

pusher.signin();
pusher.user.bind('notification', (data: any) => render(data.text));
pusher.user.watchlist.bind('online', (event: any) => render(event.user_ids.join(',')));
pusher.user.watchlist.unbind('online');
pusher.user.unbind('notification');

pusher.disconnect();
pusher.connect();

// A component keeps a client and a channel around.
class OrderFeed {
  private channel?: Channel;
  constructor(private readonly client: Pusher) {}
  start(onOrder: Function): void {
    this.channel = this.client.subscribe('orders');
    this.channel.bind('created', onOrder);
  }
  stop(): void {
    this.channel?.unbind_all();
    this.client.unsubscribe('orders');
  }
}
new OrderFeed(pusher).start(() => {});

// A subclass that logs its bindings.
class LoggingPusher extends Pusher {
  constructor(key: string) {
    super(key, { cluster: 'eu' });
  }
  bind(event_name: string, callback: Function, context?: any): Pusher {
    console.log('bind', event_name);
    return super.bind(event_name, callback, context);
  }
}
new LoggingPusher('app-key').bind('x', () => {}).unbind('x');

// A reactive store of the connection state.
let lastState = 'initialized';
pusher.connection.bind('state_change', (change: { current: string }) => {
  lastState = change.current;
});
if (lastState === 'reconnecting') render('never a pusher-js state, but a string compare compiles');

export {
  everyClient,
  ready,
  legacy,
  withHandlers,
  socketId,
  headers,
  state,
  tls,
  name,
  subscribed,
  pending,
  cancelled,
  count,
  owner,
  members,
  total,
  asChannel,
  found,
  all,
  byName,
  viaFind,
  everyChannel,
  sentEvent,
  usesTls,
  key,
  options,
  wsHost,
};
