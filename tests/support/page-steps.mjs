// Page steps shared by several e2e files. A page step is sent to the page as
// source text (`page.run(step, args)`), so each one is self-contained: it uses
// nothing from this module's scope.

/** Page step: makes the page's `Pusher` one that can decrypt (pusher-js: its encryption build; ours decrypts as is). */
export async function encryptionBuild(a) {
  if (a.client !== 'pusher-js') return 'as is';
  await new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/node_modules/pusher-js/dist/web/pusher-with-encryption.js';
    s.onload = resolve;
    s.onerror = () => reject(new Error('could not load ' + s.src));
    document.head.appendChild(s);
  });
  return 'pusher-with-encryption';
}
