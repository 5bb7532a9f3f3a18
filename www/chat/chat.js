// The chat: a presence channel with its member list, messages broadcast by the backend to the
// others (the sender's X-Socket-ID excludes it), a typing indicator over whispers, and private
// notifications on the user's own channel. `startChat(Echo)` takes the Echo class: the built-in
// one from pusher-wasm, or laravel-echo from npm (with pusher-wasm under it).

const $ = (id) => document.getElementById(id);
const NAMES = ['Ada', 'Brian', 'Chioma', 'Dmitri', 'Emma', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas'];

/** This tab's user: kept in sessionStorage, so a reload keeps it and a second tab is someone else. */
function tabUser() {
  const params = new URLSearchParams(location.search);
  let user = JSON.parse(sessionStorage.getItem('demo-user') ?? 'null');
  if (params.get('user')) {
    const [id, name] = params.get('user').split(':');
    user = { id, name };
  }
  if (!user) {
    const id = String(1 + Math.floor(Math.random() * 9000));
    user = { id, name: NAMES[Number(id) % NAMES.length] };
  }
  sessionStorage.setItem('demo-user', JSON.stringify(user));
  return user;
}

function element(tag, attributes, ...children) {
  const { dataset = {}, ...properties } = attributes;
  const node = document.createElement(tag);
  Object.assign(node, properties);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

export async function startChat(Echo, { variant }) {
  const session = await (await fetch('/api/session')).json();
  const me = tabUser();
  const headers = { 'X-CSRF-TOKEN': session.csrfToken, 'X-Demo-User': `${me.id}:${me.name}` };
  $('me').textContent = `${me.name} (#${me.id})`;
  $('variant').textContent = variant;

  // A Laravel 11/12 app's resources/js/echo.js, with VITE_REVERB_* filled in.
  const echo = new Echo({
    broadcaster: 'reverb',
    key: session.key,
    wsHost: session.wsHost,
    wsPort: session.wsPort,
    wssPort: session.wsPort,
    forceTLS: false,
    enabledTransports: ['ws', 'wss'],
    authEndpoint: '/broadcasting/auth',
    auth: { headers },
    userAuthentication: { endpoint: '/broadcasting/user-auth', headers },
  });
  window.echo = echo;
  const connection = echo.connector.pusher.connection;

  const showState = () => {
    $('state').textContent = connection.state;
    $('state').dataset.state = connection.state;
    $('socket-id').textContent = connection.socket_id ?? '–';
  };
  showState();
  connection.bind('state_change', ({ previous, current }) => {
    showState();
    note(`connection ${previous} → ${current}`);
  });

  const members = new Map();
  const renderMembers = () => {
    $('members').replaceChildren(
      ...[...members.values()].map((u) =>
        element('li', { dataset: { id: u.id } }, u.name, u.id === me.id ? ' (you)' : ''),
      ),
    );
    $('member-count').textContent = String(members.size);
  };

  const chat = echo
    .join('chat')
    .here((users) => note(`joined the chat with ${users.length} here`))
    .joining((u) => {
      note(`${u.name} joined`);
    })
    .leaving((u) => {
      note(`${u.name} left`);
    })
    .listen('MessageSent', (message) => addMessage(message))
    .listenForWhisper('typing', (who) => showTyping(who))
    .error((error) => note(`chat error: ${JSON.stringify(error)}`));

  // The member list by id comes from the channel itself (here/joining/leaving pass user_info).
  const channel = echo.connector.pusher.channel('presence-chat');
  const syncMembers = () => {
    members.clear();
    for (const [id, info] of Object.entries(channel.members.members)) members.set(id, { id, ...info });
    renderMembers();
  };
  channel.bind('pusher:subscription_succeeded', syncMembers);
  channel.bind('pusher:member_added', syncMembers);
  channel.bind('pusher:member_removed', syncMembers);

  echo.private(`App.Models.User.${me.id}`).notification((notification) => {
    const item = element('li', {}, `${notification.from} mentioned you: ${notification.text}`);
    $('notifications').prepend(item);
  });

  const rendered = new Set();
  function addMessage(message) {
    if (rendered.has(message.id)) {
      note(`message ${message.id} arrived twice`);
      return;
    }
    rendered.add(message.id);
    const mine = message.user.id === me.id;
    $('messages').append(
      element(
        'li',
        { className: mine ? 'mine' : '', dataset: { id: message.id } },
        element('b', {}, message.user.name),
        ' ',
        message.text,
      ),
    );
    $('messages').scrollTop = $('messages').scrollHeight;
  }

  let typingTimer;
  function showTyping(who) {
    $('typing').textContent = `${who.name} is typing…`;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => ($('typing').textContent = ''), 2000);
  }

  let lastWhisper = 0;
  $('text').addEventListener('input', () => {
    if (Date.now() - lastWhisper > 800) {
      lastWhisper = Date.now();
      chat.whisper('typing', { id: me.id, name: me.name });
    }
  });

  $('send').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    const mentions = [...members.values()].filter((u) => text.includes('@' + u.name)).map((u) => u.id);
    // broadcast(new MessageSent(...))->toOthers(): the header names this connection.
    const response = await fetch('/messages', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json', 'X-Socket-ID': echo.socketId() ?? '' },
      body: JSON.stringify({ text, mentions }),
    });
    addMessage(await response.json());
  });

  $('restart').addEventListener('click', async () => {
    note('restarting the server…');
    await fetch('/api/restart', { method: 'POST' });
  });

  function note(text) {
    $('log').prepend(element('li', {}, element('time', {}, new Date().toLocaleTimeString()), ' ', text));
  }

  document.body.dataset.ready = 'true';
}
