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

test('demo page: state, socket_id, an event, and a visible reconnect after a server restart', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
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
  await page.waitForFunction(
    () => document.querySelectorAll('#events li[data-kind=subscribed]').length === 2,
    null,
    { timeout: 20000 },
  );
  assert.equal(await text('#state'), 'connected');
  const secondSocketId = await text('#socket-id');
  assert.match(secondSocketId, /^\d+\.\d+$/);
  assert.notEqual(secondSocketId, firstSocketId);
  const states = await events('state').allTextContents();
  assert.ok(states.some((s) => s.includes('connected → connecting')), states.join('\n'));

  await page.fill('#message', 'second');
  await page.click('#trigger');
  await page.waitForFunction(() => document.querySelectorAll('#events li[data-kind=event]').length === 2);
  assert.match(await events('event').first().textContent(), /"text":"second"/);
  assert.deepEqual(problems, []);
  await page.close();
});
