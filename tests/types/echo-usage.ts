// Laravel Echo 2.x on top of the client, as a Laravel app's resources/js/echo.ts sets it up.
// laravel-echo's dist/echo.d.ts imports its Pusher types from `pusher-js`; tsconfig.echo.json
// maps that name to src/package/index.d.ts, so this checks Echo's own declarations against
// ours (skipLibCheck is off). tsconfig.echo-pusher-js.json compiles the same file against the
// real pusher-js. Nothing here runs.

import Echo from 'laravel-echo';
import Pusher from 'pusher-js';

declare global {
  interface Window {
    Pusher: typeof Pusher;
    Echo: Echo<'reverb'>;
  }
}

declare const env: Record<string, string | undefined>;

window.Pusher = Pusher;

const key = env.VITE_REVERB_APP_KEY ?? 'app-key';
const client = new Pusher(key, {
  cluster: '',
  wsHost: env.VITE_REVERB_HOST,
  wsPort: Number(env.VITE_REVERB_PORT ?? 80),
  wssPort: Number(env.VITE_REVERB_PORT ?? 443),
  forceTLS: (env.VITE_REVERB_SCHEME ?? 'https') === 'https',
  enabledTransports: ['ws', 'wss'],
});

const echo = new Echo({
  broadcaster: 'reverb',
  key,
  wsHost: env.VITE_REVERB_HOST,
  wsPort: Number(env.VITE_REVERB_PORT ?? 80),
  wssPort: Number(env.VITE_REVERB_PORT ?? 443),
  forceTLS: false,
  enabledTransports: ['ws', 'wss'],
  authEndpoint: '/broadcasting/auth',
  auth: { headers: { 'X-CSRF-TOKEN': 'token' } },
  client,
});
window.Echo = echo;

// Echo creating the client itself from the `Pusher` option.
const own = new Echo({ broadcaster: 'reverb', key, wsHost: 'localhost', Pusher });
own.disconnect();

interface OrderShipped {
  order: { id: number };
}

echo
  .channel('orders')
  .listen('OrderShipped', (e: OrderShipped) => console.log(e.order.id))
  .listen('.order.updated', (e: unknown) => console.log(e))
  .subscribed(() => console.log('subscribed'))
  .error((error: unknown) => console.error(error));
echo.channel('orders').stopListening('OrderShipped');

echo
  .private(`App.Models.User.1`)
  .notification((notification: { type: string }) => console.log(notification.type))
  .listenForWhisper('typing', (e: { name: string }) => console.log(e.name))
  .whisper('typing', { name: 'me' });

echo
  .join('chat.1')
  .here((users: { id: number; name: string }[]) => console.log(users.length))
  .joining((user: { name: string }) => console.log(`${user.name} joined`))
  .leaving((user: { name: string }) => console.log(`${user.name} left`))
  .listen('NewMessage', (e: { text: string }) => console.log(e.text));

echo.listen('orders', 'OrderShipped', () => {});
echo.leave('chat.1');
echo.leaveChannel('orders');

const socketId: string | undefined = echo.socketId();
fetch('/api/orders', { headers: { 'X-Socket-ID': socketId ?? '' } });

// Echo's connector exposes the client.
const pusher: Pusher = echo.connector.pusher;
pusher.connection.bind('state_change', (states: { previous: string; current: string }) => {
  console.log(states.current);
});
const state: string = echo.connector.pusher.connection.state;
const raw = echo.connector.pusher.channels.channels['orders'];
raw?.bind('pusher:subscription_count', (data: any) => console.log(data.subscription_count));
echo.connector.signin();
const status = echo.connectionStatus();
const stop = echo.connector.onConnectionChange((s) => console.log(s));
stop();

export { state, status };
