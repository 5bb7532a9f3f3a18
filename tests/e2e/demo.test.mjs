// The demo (the README's first command) driven like a user: the page connects, subscribes,
// shows an event triggered through the server SDK, and reconnects when sockudo restarts.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from '../../scripts/demo-server.mjs';
import { launchBrowser, closeBrowser } from '../support/browser.mjs';

let demo;
let browser;

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await demo?.stop();
});

// Chromium logs each refused WebSocket connection; during a demo's server restart the first retry
// (0.1–1.5 s after the drop) may come while the server is still down.
const refusedRetry = (text) => /^WebSocket connection to '.*' failed: .*ERR_CONNECTION_REFUSED$/.test(text);

test('demo page: state, socket_id, an event, and a visible reconnect after a server restart', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !refusedRetry(m.text()) && problems.push(`console: ${m.text()}`));
  const text = (selector) => page.locator(selector).textContent();
  const events = (kind) => page.locator(`#events li[data-kind=${kind}]`);

  await page.goto(demo.url);
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForFunction(() => document.getElementById('subscribed').textContent === 'subscribed');
  assert.equal(await text('#state'), 'connected');
  const firstSocketId = await text('#socket-id');
  assert.match(firstSocketId, /^\d+\.\d+$/);

  await page.fill('#message', 'first');
  await page.click('#trigger');
  await events('event').first().waitFor();
  assert.match(await events('event').first().textContent(), /"text":"first"/);

  await page.click('#restart');
  // The page shows the drop and the way back, then the channel is subscribed again.
  await page.waitForFunction(() => document.querySelectorAll('#events li[data-kind=subscribed]').length === 2, null, {
    timeout: 20000,
  });
  assert.equal(await text('#state'), 'connected');
  const secondSocketId = await text('#socket-id');
  assert.match(secondSocketId, /^\d+\.\d+$/);
  assert.notEqual(secondSocketId, firstSocketId);
  const states = await events('state').allTextContents();
  assert.ok(
    states.some((s) => s.includes('connected → connecting')),
    states.join('\n'),
  );

  await page.fill('#message', 'second');
  await page.click('#trigger');
  await page.waitForFunction(() => document.querySelectorAll('#events li[data-kind=event]').length === 2);
  assert.match(await events('event').first().textContent(), /"text":"second"/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('chat demo: two users, laravel-echo and built-in Echo pages, messages to others, typing, mentions, a restart', async () => {
  const problems = [];
  const open = async (variant, user) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`${user}: pageerror: ${e.message}`));
    page.on(
      'console',
      (m) => m.type() === 'error' && !refusedRetry(m.text()) && problems.push(`${user}: console: ${m.text()}`),
    );
    await page.goto(`${demo.url}chat/${variant}.html?user=${encodeURIComponent(user)}`);
    await page.waitForSelector('body[data-ready=true]');
    return page;
  };
  const count = (page, selector) => page.locator(selector).count();
  const waitCount = (page, selector, n, timeout = 10000) =>
    page.waitForFunction(([s, n]) => document.querySelectorAll(s).length === n, [selector, n], { timeout });

  const ada = await open('laravel-echo', '1:Ada');
  const brian = await open('builtin', '2:Brian');
  await waitCount(ada, '#members li', 2);
  await waitCount(brian, '#members li', 2);
  assert.deepEqual(await ada.locator('#members li').allTextContents(), ['Ada (you)', 'Brian']);

  // Ada's message reaches Brian; Ada shows it once (her own copy, not the broadcast: toOthers).
  const adaSocketId = await ada.locator('#socket-id').textContent();
  await ada.fill('#text', 'hello @Brian');
  await ada.click('#send button');
  await waitCount(brian, '#messages li', 1);
  await waitCount(ada, '#messages li', 1);
  assert.equal(await brian.locator('#messages li').first().textContent(), 'Ada hello @Brian');
  const sent = demo.broadcasts.at(-1);
  assert.equal(sent.excludedSocketId, adaSocketId, 'the broadcast skipped the sender by X-Socket-ID');
  // The mention is a private notification for Brian only.
  await waitCount(brian, '#notifications li', 1);
  assert.equal(await count(ada, '#notifications li'), 0);

  // Typing is whispered.
  await brian.type('#text', 'hi Ada');
  await ada.waitForFunction(() => document.getElementById('typing').textContent === 'Brian is typing…');
  await brian.click('#send button');
  await waitCount(ada, '#messages li', 2);

  // A server restart: both reconnect, rejoin, and the chat still works.
  const before = [adaSocketId, await brian.locator('#socket-id').textContent()];
  await ada.click('#restart');
  for (const page of [ada, brian]) {
    await page.waitForFunction(
      (old) => {
        const state = document.getElementById('state').textContent;
        const id = document.getElementById('socket-id').textContent;
        return state === 'connected' && id !== old && document.querySelectorAll('#members li').length === 2;
      },
      before[page === ada ? 0 : 1],
      { timeout: 20000 },
    );
  }
  await brian.fill('#text', 'back again');
  await brian.click('#send button');
  await waitCount(ada, '#messages li', 3);
  const log = await ada.locator('#log li').allTextContents();
  assert.ok(
    log.some((l) => l.includes('connected → connecting')),
    log.join('\n'),
  );
  assert.ok(!log.some((l) => l.includes('arrived twice')), 'no message arrived twice');
  assert.deepEqual(problems, []);
  await ada.context().close();
  await brian.context().close();
});
