// pusher-wasm's own Echo (`import { Echo } from 'pusher-wasm'`): a Laravel app's echo.ts written
// for laravel-echo compiles with only the import changed, and the additions are typed
// (`socketIdAsync`, `stopListening('here', cb)`, the X-Socket-ID helpers). Each
// `@ts-expect-error` line must fail to compile. Compiled against ours only
// (tsconfig.echo-ours.json maps `pusher-wasm` to src/package/index.d.ts). Nothing here runs.

import Pusher, {
  Echo,
  EchoConnectionStatus,
  EchoSubscriptionError,
  EventFormatter,
  PusherConnector,
  PusherPresenceChannel,
  NullConnector,
  installSocketIdFetch,
  socketIdInterceptor,
} from 'pusher-wasm';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assert<T extends true>(): void {}

declare global {
  interface Window {
    Echo: Echo<'reverb'>;
  }
}

declare const env: Record<string, string | undefined>;

// As resources/js/echo.ts has it for Reverb, laravel-echo's import swapped.
window.Echo = new Echo({
  broadcaster: 'reverb',
  key: env.VITE_REVERB_APP_KEY,
  wsHost: env.VITE_REVERB_HOST,
  wsPort: Number(env.VITE_REVERB_PORT ?? 80),
  wssPort: Number(env.VITE_REVERB_PORT ?? 443),
  forceTLS: (env.VITE_REVERB_SCHEME ?? 'https') === 'https',
  enabledTransports: ['ws', 'wss'],
  authEndpoint: '/broadcasting/auth',
  auth: { headers: { 'X-App': '1' } },
  bearerToken: null,
  namespace: 'App.Events',
});
const echo = window.Echo;

// The other ways to give it a client, and the other broadcasters.
const client = new Pusher('app-key', { cluster: 'eu' });
new Echo({ broadcaster: 'pusher', key: 'app-key', cluster: 'eu', client });
new Echo({ broadcaster: 'pusher', key: 'app-key', cluster: 'eu', Pusher });
const nullEcho = new Echo({ broadcaster: 'null' });
assert<Equals<typeof nullEcho.connector, NullConnector>>();
class MyConnector {
  constructor(readonly options: unknown) {}
}
new Echo({ broadcaster: MyConnector });

interface OrderShipped {
  order: { id: number };
}
echo
  .channel('orders')
  .listen('OrderShipped', (e: OrderShipped) => console.log(e.order.id))
  .listen('.order.updated', (data, metadata) => console.log(data, metadata.user_id))
  .listenToAll((event, data) => console.log(event.length, data))
  .subscribed(() => console.log('subscribed'))
  .error((error) => {
    assert<Equals<typeof error, EchoSubscriptionError>>();
    console.error(error.status);
  })
  .stopListening('OrderShipped')
  .stopListeningToAll();

echo
  .private('App.Models.User.1')
  .notification((n: { type: string }) => console.log(n.type))
  .listenForWhisper('typing', (e: { name: string }) => console.log(e.name))
  .whisper('typing', { name: 'me' });
echo.encryptedPrivate('vault').listen('SecretShared', () => {});

const onJoin = (user: { id: number; name: string }) => console.log(user.name);
const room: PusherPresenceChannel = echo
  .join('chat.1')
  .here((users) => console.log(users.length))
  .joining(onJoin)
  .leaving((user) => console.log(user));
room.stopListening('joining', onJoin).stopListening('here').stopListening('NewMessage');

echo.leave('chat.1');
echo.leaveChannel('orders');
echo.leaveAllChannels();

// socketId(): sync as in laravel-echo; socketIdAsync(): a promise of the id.
const maybe: string | undefined = echo.socketId();
const later: Promise<string> = echo.socketIdAsync({ timeout: 5000 });
const status: EchoConnectionStatus = echo.connectionStatus();
const connector: PusherConnector = echo.connector;
const stop: () => void = connector.onConnectionChange((s) => console.log(s));
stop();
connector.signin();
const pusher: Pusher = echo.connector.pusher;
new EventFormatter('App.Events').format('OrderShipped').toUpperCase();

// The helpers take an Echo, a client or a function.
const uninstall: () => void = installSocketIdFetch(echo);
uninstall();
installSocketIdFetch(pusher, { waitMs: 2000, header: 'X-Socket-ID' });
installSocketIdFetch(() => 'socket.id');

interface AxiosLikeConfig {
  url?: string;
  baseURL?: string;
  headers: Record<string, string>;
  timeout?: number;
}
declare const api: { interceptors: { request: { use(fn: (config: AxiosLikeConfig) => AxiosLikeConfig): number } } };
api.interceptors.request.use(socketIdInterceptor(echo));

// @ts-expect-error: a broadcaster this Echo does not speak
new Echo({ broadcaster: 'socket.io' });
// @ts-expect-error: the status is a union of strings
const wrong: EchoConnectionStatus = 'open';
// @ts-expect-error: socketIdAsync's promise is not a string
const notSync: string = echo.socketIdAsync();
// @ts-expect-error: a target without a socket id
installSocketIdFetch({});

export { maybe, later, status, wrong, notSync };
