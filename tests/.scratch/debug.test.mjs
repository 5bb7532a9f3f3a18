import { before, after, test } from 'node:test';
import { startAuthEnv } from '../support/auth-server.mjs';
import { runOnBoth } from '../support/scenario.mjs';
let ctx;
before(async () => { ctx = await startAuthEnv(); });
after(async () => { await ctx?.close(); });
for (let i = 0; i < 10; i++) {
  test('round ' + i, async () => {
    const runs = await runOnBoth(ctx.env, async (a) => {
      const t0 = performance.now();
      Pusher.logToConsole = true;
      const p = new Pusher(a.key, a.options);
      const ch = p.subscribe('private-dbg');
      try {
        await H.once(ch, 'pusher:subscription_succeeded');
      } catch (e) {
        return { error: String(e), state: p.connection.state, ms: performance.now() - t0 };
      }
      return { ms: Math.round(performance.now() - t0) };
    }, ctx.env.clientArgs(), { handlers: { ...ctx.env.sdkHandlers(), ...ctx.auth.handlers() }, allowConsoleErrors: true });
    for (const r of Object.values(runs)) {
      console.log(r.client, JSON.stringify(r.obs), r.websockets.length, r.console.slice(-6).map((c) => c.text.slice(0, 160)).join(' | '));
    }
  });
}
