// A Vite app as a user writes it: import the package by name, construct right away.
// The test opens index.html?wsPort=PORT&channel=NAME and drives it through window.__packaging.
import Pusher from 'pusher-wasm';

const params = new URLSearchParams(location.search);

// Synchronous, right after the import: no `await init()`.
const pusher = new Pusher('app-key', {
  cluster: '',
  wsHost: '127.0.0.1',
  wsPort: Number(params.get('wsPort')),
  forceTLS: false,
  enabledTransports: ['ws', 'wss'],
  // ?shared: the engine in a SharedWorker every tab shares.
  shared: params.has('shared'),
});
const initialState = pusher.connection.state;
const channel = pusher.subscribe(params.get('channel'));

window.__packaging = {
  app: 'vite',
  initialState,
  windowPusherIsDefaultExport: window.Pusher === Pusher,
  subscribed: new Promise((resolve) => channel.bind('pusher:subscription_succeeded', () => resolve(true))),
  event: new Promise((resolve) => channel.bind('greeting', (data) => resolve(data))),
  connection: () => ({ state: pusher.connection.state, socketId: pusher.connection.socket_id }),
};
