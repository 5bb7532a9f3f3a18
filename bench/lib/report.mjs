// Renders bench results (the object written to latest.json) as a markdown table, a console
// table, a small hand-written SVG plot, and the README's table. No dependencies.
//
//   node bench/lib/report.mjs [latest.json]          re-renders latest.md and plot.svg beside it
//   node bench/lib/report.mjs --docs [latest.json]   writes docs/bench-table.md and docs/bench-plot.svg
//                                                    from a full run (a full `npm run bench` does it)
//   node bench/lib/report.mjs --readme               copies docs/bench-table.md into README.md,
//                                                    between the bench-table markers
//   node bench/lib/report.mjs --check                exits 1 if README.md's block differs from it
//
// (tests/docs/bench-table.test.mjs runs the check in the test command.)
import { VARIANTS, OURS } from './metrics.mjs';

export const DOCS_TABLE = 'docs/bench-table.md';
export const DOCS_PLOT = 'docs/bench-plot.svg';
export const BEGIN = '<!-- bench-table:begin -->';
export const END = '<!-- bench-table:end -->';

const NAMES = {
  raw: 'raw WebSocket',
  'pusher-js': 'pusher-js 8.6.0',
  'pusher-wasm': 'pusher-wasm',
  'pusher-wasm-shared': 'pusher-wasm, shared',
};
// Column heads of the tables; ratio heads name our mode over the base.
const SHORT = {
  raw: 'raw',
  'pusher-js': 'pusher-js',
  'pusher-wasm': 'pusher-wasm',
  'pusher-wasm-shared': 'pusher-wasm shared',
};
const RATIO = { 'pusher-wasm': 'wasm', 'pusher-wasm-shared': 'shared', 'pusher-js': 'js', raw: 'raw' };

function fmtNum(x, unit, digits) {
  if (x == null || !Number.isFinite(x)) return '–';
  if (digits === undefined) {
    digits = 0;
    if (unit === 'ms') digits = x < 10 ? 2 : x < 100 ? 1 : 0;
    else if (unit === 'µs') digits = x < 100 ? 1 : 0;
    else if (unit === 'KB') digits = x < 10 ? 1 : 0;
  }
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const fmtBytes = (x) => (x == null ? '–' : `${x.toLocaleString('en-US')} B`);
const fmtRatio = (x) => (x == null || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`);

function cell(s, unit) {
  if (s?.na) return 'n/a';
  if (!s || s.median == null) return '–';
  if (s.n === 1 || s.min === s.max) return fmtNum(s.median, unit);
  return `${fmtNum(s.median, unit)} (${fmtNum(s.min, unit)}–${fmtNum(s.max, unit)})`;
}

function ratioOf(a, b) {
  if (a?.na || b?.na) return null;
  if (!a || !b || a.median == null || b.median == null || b.median === 0 || a.median === 0) return null;
  return a.median / b.median;
}

/** The variants of this run, in table order, and the ratio columns: each of our modes over
 *  pusher-js and over raw, where both ran. */
function columns(results) {
  const variants = VARIANTS.filter((v) => results.variants.includes(v));
  const ratios = [];
  for (const base of ['pusher-js', 'raw']) {
    for (const ours of OURS) if (variants.includes(ours) && variants.includes(base)) ratios.push([ours, base]);
  }
  return { variants, ratios };
}

function head(results) {
  const { variants, ratios } = columns(results);
  return ['', ...variants.map((v) => SHORT[v]), ...ratios.map(([a, b]) => `${RATIO[a]} / ${RATIO[b]}`)];
}

function label(results, text) {
  return text.replace(
    /N (presence )?channels/,
    (_, p) => `${results.config.channels.toLocaleString('en-US')} ${p ?? ''}channels`,
  );
}

/** The sizes: what the page loaded and ran before `new Pusher()`, what loaded after it until the
 *  first channel was subscribed (in the page, or by the SharedWorker), and all of it. */
function sizeRows(results) {
  const { variants, ratios } = columns(results);
  const s = results.sizes ?? {};
  const rows = [];
  const row = (name, value, fmt, ratio = true) =>
    rows.push([
      name,
      ...variants.map((v) => fmt(value(v))),
      ...ratios.map(([a, b]) => (ratio && b !== 'raw' ? fmtRatio(value(a) / value(b)) : '–')),
    ]);
  row('Loaded and run before new Pusher(), gzip -9', (v) => s[v]?.before.gzip, fmtBytes);
  row('Loaded after new Pusher() until subscribed, gzip -9', (v) => s[v]?.after.gzip, fmtBytes, false);
  for (const [k, name] of [
    ['raw', 'All loaded until subscribed, uncompressed'],
    ['gzip', 'All loaded until subscribed, gzip -9'],
    ['brotli', 'All loaded until subscribed, brotli 11'],
  ]) {
    row(name, (v) => s[v]?.[k], fmtBytes);
  }
  row(
    'Requests for the library (page and worker)',
    (v) => s[v]?.requests,
    (x) => (x == null ? '–' : String(x)),
    false,
  );
  return rows;
}

function tableRows(results, metrics) {
  const { variants, ratios } = columns(results);
  const rows = sizeRows(results);
  for (const [key, text, unit, , , , opts = {}] of metrics) {
    const s = results.summary[key] ?? {};
    rows.push([
      `${label(results, text)} (${unit})`,
      ...variants.map((v) => cell(s[v], unit)),
      ...ratios.map(([a, b]) =>
        b === 'raw' && opts.rawRatio === false ? '–' : s[a]?.na ? 'n/a' : fmtRatio(ratioOf(s[a], s[b])),
      ),
    ]);
  }
  return [...rows, ...pairedRows(results)];
}

/** A median of per-pair ratios, with its range. */
function pairedRatioCell(s) {
  if (!s || s.median == null) return '–';
  return s.n === 1 ? `${s.median.toFixed(2)}×` : `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/** The paired blasts (bench/run.mjs pairedRun): each variant's medians, and the medians of the
 *  per-pair ratios, which are steadier than ratios of the rounds' medians. */
function pairedRows(results) {
  const p = results.paired;
  if (!p) return [];
  const { variants, ratios } = columns(results);
  const rows = [];
  for (const [part, size] of [
    ['small', '100 B'],
    ['large', '2 KB'],
  ]) {
    for (const [figure, text, unit] of [
      ['msgsPerSec', `Paired blasts: throughput, ${size} events`, 'msg/s'],
      ['cpuUsPerMsg', `Paired blasts: browser CPU per ${size} event`, 'µs'],
    ]) {
      const f = p[part]?.[figure];
      if (!f) continue;
      rows.push([
        `${text} (${unit})`,
        ...variants.map((v) => cell(f.own[v], unit)),
        ...ratios.map(([a, b]) => pairedRatioCell(f.ratios?.[a]?.[b === 'raw' ? 'overRaw' : 'overJs'])),
      ]);
    }
  }
  return rows;
}

const bytes = (n) => (n >= 1024 && n % 1024 === 0 ? `${n / 1024} KB` : `${n} B`);

const browserName = (results) => results.browser.replace(/ built on Debian GNU\/Linux (\d+).*/, ' (Debian $1)');

function machineLine(results) {
  const m = results.machine;
  return (
    `${browserName(results)} headless · ${m.nproc} × ${m.cpuModel}, ${(m.memTotalMB / 1024).toFixed(0)} GB · load average ` +
    `${results.loadavg.before[0].toFixed(2)} before, ${results.loadavg.after[0].toFixed(2)} after`
  );
}

function header(results) {
  const m = results.machine;
  const c = results.config;
  const rounds = results.quick ? '1 round (--quick: not a measurement)' : `${c.rounds} rounds`;
  const network = c.rttMs
    ? ` · emulated network: ${c.rttMs} ms round trip, one more for each new connection (--rtt)`
    : '';
  return [
    `Date ${results.date.slice(0, 16).replace('T', ' ')} UTC · ${machineLine(results)} · Node ${m.node} · ${rounds}${network}`,
    `Medians, with the range over rounds in parentheses. ${c.small.n.toLocaleString('en-US')} × ${bytes(c.small.size)} and ` +
      `${c.large.n.toLocaleString('en-US')} × ${bytes(c.large.size)} events back to back; latency over ${c.latency.n} events at ` +
      `${Math.round(1000 / c.latency.intervalMs)}/s; presence channels with ${c.members} members (the subscriber among them); ` +
      `reconnect with ${c.reconnect.channels} channels and the server down ${c.reconnect.downMs} ms. JS heap after gc, ` +
      `less the page's own before the library loaded (pusher-wasm shared: the page's heap only; its wasm memory is the ` +
      `SharedWorker's; the worker's JS heap is not measurable, hence n/a). CPU per event: user+sys of all Chromium ` +
      `processes per event. Main-thread CPU: the page's renderer main thread, from the navigation to the first ` +
      `channel subscribed.` +
      (results.paired
        ? ` Paired blasts: ${results.paired.pairs} pair(s) per size, one open browser per variant, blasts back to back in rotating ` +
          `order; their ratio columns are medians of the per-pair ratios (range).`
        : ''),
  ];
}

function markdownTable(headRow, rows) {
  const esc = (c) => c.replace(/\|/g, '\\|');
  return [
    `| ${headRow.map(esc).join(' | ')} |`,
    `|${headRow.map((_, i) => (i ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
}

export function renderMarkdown(results, metrics) {
  const lines = [...header(results).map((l) => l + '\n'), ...markdownTable(head(results), tableRows(results, metrics))];
  if (results.problems?.length) {
    lines.push('', `Problems seen (${results.problems.length}):`, '', ...results.problems.map((p) => `- ${p}`));
  }
  if (results.warnings?.length) {
    lines.push('', 'Warnings:', '', ...results.warnings.map((p) => `- ${p}`));
  }
  return lines.join('\n') + '\n';
}

export function renderConsole(results, metrics) {
  const headRow = head(results);
  const rows = [headRow, ...tableRows(results, metrics)];
  const widths = headRow.map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  const pad = (s, w, left) => (left ? s + ' '.repeat(w - [...s].length) : ' '.repeat(w - [...s].length) + s);
  return [...header(results), '', ...rows.map((r) => r.map((c, i) => pad(c, widths[i], i === 0)).join('  '))].join(
    '\n',
  );
}

// ---- the README's table (docs/bench-table.md) ------------------------------------------------

const README_VARIANTS = ['raw', 'pusher-js', 'pusher-wasm', 'pusher-wasm-shared'];
const README_HEAD = ['', 'raw', 'pusher-js', 'pusher-wasm', 'pusher-wasm, shared', 'wasm / js', 'shared / js'];

/**
 * The README's table, from a full run: the figures a reader compares, pusher-js 8.6.0 against
 * pusher-wasm in both modes, with a raw WebSocket as the floor. Medians over the rounds;
 * ratios of medians, except the paired blasts' (medians of per-pair ratios). Returns the text
 * of docs/bench-table.md: a comment, then the README's block.
 */
export function renderBenchTable(results) {
  if (results.quick) throw new Error('a --quick run is no measurement: the README table comes from a full run');
  for (const v of README_VARIANTS) {
    if (!results.variants.includes(v)) throw new Error(`the README table needs every variant; ${v} did not run`);
  }
  const s = results.summary;
  const sizes = results.sizes ?? {};
  const rows = [];
  const ours = ['pusher-wasm', 'pusher-wasm-shared'];
  const n = results.config.channels.toLocaleString('en-US');

  // A row of medians: `fmt(summary of v)` per variant, and ours over pusher-js.
  const row = (name, key, unit, { digits, ratio = true } = {}) => {
    const m = (v) => s[key]?.[v];
    const withUnit = (x) => `${fmtNum(x, unit, digits)}${unit === '/s' ? '' : ' '}${unit}`;
    const f = (v) => (m(v)?.na ? 'n/a' : m(v)?.median == null ? '–' : withUnit(m(v).median));
    rows.push([
      name,
      ...README_VARIANTS.map(f),
      ...ours.map((v) => (ratio ? fmtRatio(ratioOf(m(v), m('pusher-js'))) : '–')),
    ]);
  };
  const sizeRow = (name, phase, ratio) => {
    const b = (v) => sizes[v]?.[phase]?.gzip;
    rows.push([
      name,
      ...README_VARIANTS.map((v) => fmtBytes(b(v))),
      ...ours.map((v) => (ratio ? fmtRatio(b(v) / b('pusher-js')) : '–')),
    ]);
  };
  // Memory: JS heap + wasm, per variant; the shared mode's worker JS heap is not measurable.
  const memRow = (name, jsKey, wasmKey) => {
    const med = (key, v) => s[key]?.[v]?.median;
    const digits = (x) => (Math.abs(x) < 10 ? 2 : 0);
    const total = (v) => (v === 'pusher-wasm-shared' ? null : (med(jsKey, v) ?? 0) + (med(wasmKey, v) ?? 0));
    const f = (v) => {
      const js = med(jsKey, v);
      const wasm = med(wasmKey, v);
      if (js == null) return '–';
      if (!ours.includes(v)) return `${fmtNum(js, 'KB', digits(js))} KB`;
      const pair = `${fmtNum(js, 'KB', digits(js))} + ${fmtNum(wasm ?? 0, 'KB', digits(wasm ?? 0))} KB`;
      return v === 'pusher-wasm-shared' ? `${pair} + n/a` : pair;
    };
    const r = (v) => (v === 'pusher-wasm-shared' ? 'n/a' : fmtRatio(total(v) / total('pusher-js')));
    rows.push([name, ...README_VARIANTS.map(f), ...ours.map(r)]);
  };

  sizeRow('Loaded and run before `new Pusher()`, gzip -9', 'before', true);
  sizeRow('Loaded after `new Pusher()`, until subscribed, gzip -9', 'after', false);
  row('Time to connected from navigation start', 'connect', 'ms', { digits: 0 });
  row("Time to connected from the page's script start", 'connectScript', 'ms', { digits: 0 });
  row('Time to first channel subscribed from navigation start', 'subscribed', 'ms', { digits: 0 });
  row('Main-thread CPU, navigation → first channel subscribed', 'mainThread', 'ms', { digits: 1 });
  row('SharedWorker thread CPU, navigation → first channel subscribed', 'workerThread', 'ms', {
    digits: 1,
    ratio: false,
  });
  row('Throughput, 100 B events', 'tputSmall', '/s', { digits: 0 });
  row('Browser CPU per 100 B event', 'cpuSmall', 'µs');
  row("Page's main-thread CPU per 100 B event", 'mainSmall', 'µs');
  row('SharedWorker thread CPU per 100 B event', 'workerSmall', 'µs', { ratio: false });
  row('Throughput, 2 KB events', 'tputLarge', '/s', { digits: 0 });
  row('Browser CPU per 2 KB event', 'cpuLarge', 'µs');
  row("Page's main-thread CPU per 2 KB event", 'mainLarge', 'µs');
  row('SharedWorker thread CPU per 2 KB event', 'workerLarge', 'µs', { ratio: false });
  const p = results.paired;
  if (p) {
    const pr = (part, figure, v) => p[part]?.[figure]?.ratios?.[v]?.overJs?.median;
    const pair = (figure) => (v) => `${fmtRatio(pr('small', figure, v))} / ${fmtRatio(pr('large', figure, v))}`;
    const blank = README_VARIANTS.map(() => '');
    rows.push([
      'Paired blasts: CPU per 100 B / 2 KB event (median of per-pair ratios)',
      ...blank,
      ...ours.map(pair('cpuUsPerMsg')),
    ]);
    rows.push(['Paired blasts: throughput, 100 B / 2 KB', ...blank, ...ours.map(pair('msgsPerSec'))]);
  }
  {
    const m = (key, v) => s[key]?.[v]?.median;
    const f = (v) =>
      m('latP50', v) == null ? '–' : `${fmtNum(m('latP50', v), 'ms', 2)} / ${fmtNum(m('latP99', v), 'ms', 2)} ms`;
    const r = (v) =>
      `${(m('latP50', v) / m('latP50', 'pusher-js')).toFixed(2)} / ${fmtRatio(m('latP99', v) / m('latP99', 'pusher-js'))}`;
    rows.push(['Dispatch latency p50 / p99', ...README_VARIANTS.map(f), ...ours.map(r)]);
  }
  memRow('Memory per further public channel (JS heap + wasm)', 'memPerChJs', 'memPerChWasm');
  memRow(
    `Memory per further presence channel, ${results.config.members} members`,
    'memPresPerChJs',
    'memPresPerChWasm',
  );
  memRow(`Memory, ${n} channels (JS heap + wasm)`, 'memManyJs', 'memManyWasm');
  memRow(`Memory, ${n} presence channels × ${results.config.members} members`, 'memPresManyJs', 'memPresManyWasm');
  {
    const key = 'reconnect';
    const f = (v) => {
      const x = s[key]?.[v];
      if (x?.median == null) return '–';
      const range = x.n > 1 && x.min !== x.max ? ` (${fmtNum(x.min, 'ms', 0)}–${fmtNum(x.max, 'ms', 0)})` : '';
      return `${fmtNum(x.median, 'ms', 0)} ms${range}`;
    };
    rows.push([
      'Server back → all channels resubscribed',
      ...README_VARIANTS.map(f),
      ...ours.map((v) => fmtRatio(ratioOf(s[key]?.[v], s[key]?.['pusher-js']))),
    ]);
  }

  const c = results.config;
  const commit = results.pusherWasmCommit
    ? ` · pusher-wasm at ${results.pusherWasmCommit.slice(0, 7)}${results.pusherWasmDirty ? ' with uncommitted changes' : ''}`
    : '';
  const block = [
    `Measured ${results.date.slice(0, 16).replace('T', ' ')} UTC · ${machineLine(results)} · ` +
      `${c.rounds} round${c.rounds === 1 ? '' : 's'}, medians${commit}`,
    '',
    ...markdownTable(README_HEAD, rows),
    '',
    `pusher-wasm runs its engine in the page; "shared" is \`shared: true\` (the engine in a SharedWorker). ` +
      `Sizes: the files the page (and the worker) fetched, split at \`new Pusher()\`. Main-thread CPU: the page's ` +
      `renderer main thread from the navigation to the first channel subscribed (\`/proc\` schedstat). Shared mode's memory: the ` +
      `tab's JS heap + the worker's wasm memory + the worker's JS heap, which cannot be read without DevTools ` +
      `(n/a). Method and noise: [bench/README.md](bench/README.md); every figure with its range over rounds: ` +
      `\`bench/results/latest.md\` after \`npm run bench\`.`,
  ];
  return (
    `<!-- Generated by a full \`npm run bench\` (bench/lib/report.mjs); do not edit. README.md's block between\n` +
    `     the bench-table markers is the text below this comment: \`node bench/lib/report.mjs --readme\` copies it,\n` +
    `     tests/docs/bench-table.test.mjs checks it. -->\n` +
    block.join('\n') +
    '\n'
  );
}

/** The README's block (what goes between the markers) for the text of docs/bench-table.md. */
export function readmeBlock(docsText) {
  return docsText.replace(/^<!--[\s\S]*?-->\n/, '');
}

/** What is between the markers of `readme` (one pair, in order), or throws. */
export function extractReadmeBlock(readme) {
  const begin = readme.split(BEGIN).length - 1;
  const end = readme.split(END).length - 1;
  if (begin !== 1 || end !== 1)
    throw new Error(`README.md needs one ${BEGIN} and one ${END} (has ${begin} and ${end})`);
  const from = readme.indexOf(BEGIN) + BEGIN.length;
  const to = readme.indexOf(END);
  if (to < from) throw new Error(`README.md: ${END} comes before ${BEGIN}`);
  return readme.slice(from, to).replace(/^\n/, '');
}

/** `readme` with its block replaced by `block`. */
export function replaceReadmeBlock(readme, block) {
  extractReadmeBlock(readme);
  const from = readme.indexOf(BEGIN) + BEGIN.length;
  const to = readme.indexOf(END);
  return `${readme.slice(0, from)}\n${block}${readme.slice(to)}`;
}

// ---- SVG -------------------------------------------------------------------------------------

const COLORS = { raw: '#9aa0a6', 'pusher-js': '#e8710a', 'pusher-wasm': '#5b4fcf', 'pusher-wasm-shared': '#1a9e77' };

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Small panels of horizontal bars: throughput (100 B, 2 KB), CPU per event, time to connected,
 * main-thread CPU until subscribed, and the bytes loaded before `new Pusher()`, each bar a median
 * with a min–max whisker.
 */
export function renderSvg(results) {
  const s = results.summary;
  const sizes = results.sizes ?? {};
  const variants = VARIANTS.filter((v) => results.variants.includes(v));
  const kb = (v, phase) => sizes[v]?.[phase]?.gzip;
  const panels = [
    {
      title: `Throughput, ${bytes(results.config.small.size)} events (events/s, higher is better)`,
      data: s.tputSmall,
      unit: '',
    },
    {
      title: `Throughput, ${bytes(results.config.large.size)} events (events/s, higher is better)`,
      data: s.tputLarge,
      unit: '',
    },
    {
      title: `Browser CPU per ${bytes(results.config.small.size)} event (µs, lower is better)`,
      data: s.cpuSmall,
      unit: ' µs',
    },
    { title: 'Time to connected from navigation start (ms, lower is better)', data: s.connect, unit: ' ms' },
    { title: 'Main-thread CPU, navigation → subscribed (ms, lower is better)', data: s.mainThread, unit: ' ms' },
    {
      title: 'Loaded and run before new Pusher(), gzip -9 (KB, lower is better)',
      data: Object.fromEntries(
        variants.map((v) => {
          const g = kb(v, 'before');
          return [v, g == null ? null : { median: g / 1000, min: g / 1000, max: g / 1000, n: 1 }];
        }),
      ),
      unit: ' KB',
      note: (v) => (kb(v, 'after') ? `then ${(kb(v, 'after') / 1000).toFixed(1)} KB after it` : ''),
    },
  ];
  const W = 720;
  const labelW = 150;
  const barMax = 300;
  const barH = 16;
  const gap = 6;
  const panelH = 24 + variants.length * (barH + gap) + 10;
  const H = 40 + panels.length * panelH + 18;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="14" font-weight="600">pusher-wasm (in the page, and shared) vs pusher-js 8.6.0 and a raw WebSocket</text>`,
  );
  panels.forEach((p, k) => {
    const y0 = 40 + k * panelH;
    out.push(`<text x="12" y="${y0 + 12}" font-weight="600" fill="#333">${esc(p.title)}</text>`);
    const max = Math.max(...variants.map((v) => p.data?.[v]?.max ?? 0), 1e-9);
    variants.forEach((v, i) => {
      const y = y0 + 20 + i * (barH + gap);
      const d = p.data?.[v];
      out.push(`<text x="${labelW - 8}" y="${y + barH - 4}" text-anchor="end" fill="#333">${esc(NAMES[v])}</text>`);
      if (!d || d.median == null) {
        out.push(`<text x="${labelW}" y="${y + barH - 4}" fill="#999">no result</text>`);
        return;
      }
      const w = (d.median / max) * barMax;
      out.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[v]}" rx="2"/>`);
      if (d.n > 1 && d.max > d.min) {
        const x1 = labelW + (d.min / max) * barMax;
        const x2 = labelW + (d.max / max) * barMax;
        const ym = y + barH / 2;
        out.push(
          `<path d="M${x1.toFixed(1)} ${ym}H${x2.toFixed(1)}M${x1.toFixed(1)} ${ym - 4}V${ym + 4}M${x2.toFixed(1)} ${ym - 4}V${ym + 4}" stroke="#222" stroke-width="1.2" fill="none"/>`,
        );
      }
      const digits = p.unit === ' KB' ? 1 : p.unit === ' ms' ? 1 : 0;
      const text =
        v === 'raw' && p.unit === ' KB'
          ? 'none'
          : `${d.median.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${p.unit}` +
            (p.note && p.note(v) ? ` (${p.note(v)})` : '');
      const xText = labelW + Math.max(w, d.n > 1 ? (d.max / max) * barMax : 0) + 6;
      out.push(`<text x="${xText.toFixed(1)}" y="${y + barH - 4}" fill="#333">${esc(text)}</text>`);
    });
  });
  const m = results.machine;
  out.push(
    `<text x="12" y="${H - 8}" font-size="10" fill="#777">${esc(
      `${results.date.slice(0, 10)} · ${browserName(results)} headless · ${m.nproc} × ${m.cpuModel} · medians, whiskers min–max over ${results.config.rounds} round(s)`,
    )}</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---- command line ----------------------------------------------------------------------------

if (import.meta.url === `file://${process.argv[1]}`) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { METRICS } = await import('./metrics.mjs');
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const [flag, arg] = process.argv.slice(2);
  const readme = path.join(root, 'README.md');
  const docs = path.join(root, DOCS_TABLE);
  const json = (file) => JSON.parse(fs.readFileSync(file ?? path.join(root, 'bench/results/latest.json'), 'utf8'));
  if (flag === '--readme') {
    const text = fs.readFileSync(readme, 'utf8');
    const next = replaceReadmeBlock(text, readmeBlock(fs.readFileSync(docs, 'utf8')));
    if (next === text) console.log(`README.md: the table already is ${DOCS_TABLE}'s`);
    else {
      fs.writeFileSync(readme, next);
      console.log(`README.md: the table rewritten from ${DOCS_TABLE}`);
    }
  } else if (flag === '--check') {
    const same = extractReadmeBlock(fs.readFileSync(readme, 'utf8')) === readmeBlock(fs.readFileSync(docs, 'utf8'));
    console.log(
      same
        ? `README.md's table is ${DOCS_TABLE}'s`
        : `README.md's table differs from ${DOCS_TABLE}: node bench/lib/report.mjs --readme`,
    );
    process.exitCode = same ? 0 : 1;
  } else if (flag === '--docs') {
    const results = json(arg);
    fs.writeFileSync(docs, renderBenchTable(results));
    fs.writeFileSync(path.join(root, DOCS_PLOT), renderSvg(results));
    console.log(`written: ${DOCS_TABLE}, ${DOCS_PLOT} (from the run of ${results.date})`);
  } else {
    const file = flag ?? path.join(root, 'bench/results/latest.json');
    const results = json(file);
    const dir = path.dirname(file);
    fs.writeFileSync(path.join(dir, 'latest.md'), renderMarkdown(results, METRICS));
    fs.writeFileSync(path.join(dir, 'plot.svg'), renderSvg(results));
    console.log(renderConsole(results, METRICS));
  }
}
