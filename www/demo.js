// The demo page: connection state, socket_id, and events on a public channel.
import Pusher from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const channelName = 'demo';

const config = await (await fetch('/api/config')).json();

// The options Laravel Echo's `reverb` broadcaster passes.
const pusher = new Pusher(config.key, {
  cluster: '',
  wsHost: config.wsHost,
  wsPort: config.wsPort,
  forceTLS: false,
  enabledTransports: ['ws', 'wss'],
});
window.pusher = pusher;

function note(kind, text) {
  const item = document.createElement('li');
  item.dataset.kind = kind;
  const time = new Date().toLocaleTimeString();
  item.innerHTML = `<time>${time}</time> <span class="kind">${kind}</span> `;
  item.append(text);
  $('events').prepend(item);
}

function showState(state) {
  $('state').textContent = state;
  $('state').dataset.state = state;
  $('socket-id').textContent = pusher.connection.socket_id ?? '–';
  $('toggle').textContent = state === 'disconnected' ? 'Connect' : 'Disconnect';
}

showState(pusher.connection.state);
pusher.connection.bind('state_change', ({ previous, current }) => {
  showState(current);
  note('state', `${previous} → ${current}`);
});
pusher.connection.bind('connecting_in', (seconds) => note('state', `retrying in ${seconds} s`));
pusher.connection.bind('error', (error) => note('error', JSON.stringify(error)));

$('channel-name').textContent = channelName;
const channel = pusher.subscribe(channelName);
channel.bind('pusher:subscription_succeeded', () => {
  $('subscribed').textContent = 'subscribed';
  note('subscribed', channelName);
});
channel.bind('message', (data, metadata) => note('event', `message: ${JSON.stringify(data)}`));

$('trigger-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('message').value;
  await fetch('/api/trigger', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel: channelName, event: 'message', data: { text, at: Date.now() } }),
  });
});

$('restart').addEventListener('click', async () => {
  note('server', 'restarting sockudo…');
  $('subscribed').textContent = 'not subscribed';
  await fetch('/api/restart', { method: 'POST' });
  note('server', 'sockudo is back');
});

$('toggle').addEventListener('click', () => {
  if (pusher.connection.state === 'disconnected') pusher.connect();
  else pusher.disconnect();
});

document.body.dataset.ready = 'true';
