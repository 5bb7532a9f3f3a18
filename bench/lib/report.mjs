// Renders bench results (the object written to latest.json) as a markdown table, a console
// table and a small hand-written SVG plot. No dependencies.
//
//   node bench/lib/report.mjs [bench/results/latest.json]   re-renders latest.md and plot.svg

const NAMES = { raw: 'raw WebSocket', 'pusher-js': 'pusher-js 8.6.0', 'pusher-wasm': 'pusher-wasm' };

function fmtNum(x, unit) {
  if (x == null || !Number.isFinite(x)) return '–';
  let digits = 0;
  if (unit === 'ms') digits = x < 10 ? 2 : x < 100 ? 1 : 0;
  else if (unit === 'µs') digits = x < 100 ? 1 : 0;
  else if (unit === 'KB') digits = x < 10 ? 1 : 0;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function cell(s, unit) {
  if (!s || s.median == null) return '–';
  if (s.n === 1 || s.min === s.max) return fmtNum(s.median, unit);
  return `${fmtNum(s.median, unit)} (${fmtNum(s.min, unit)}–${fmtNum(s.max, unit)})`;
}

function ratioCell(a, b) {
  if (!a || !b || a.median == null || b.median == null || b.median === 0 || a.median === 0) return '–';
  return `${(a.median / b.median).toFixed(2)}×`;
}

function label(results, text) {
  return text.replace('N channels', `${results.config.channels.toLocaleString('en-US')} channels`).replace(
    'N presence channels',
    `${results.config.channels.toLocaleString('en-US')} presence channels`,
  );
}

function sizeRows(results) {
  const rows = [];
  const s = results.sizes ?? {};
  for (const [k, name] of [
    ['raw', 'Transfer size, uncompressed'],
    ['gzip', 'Transfer size, gzip -9'],
    ['brotli', 'Transfer size, brotli 11'],
  ]) {
    const val = (v) => (s[v] ? s[v][k] : null);
    const f = (x) => (x == null ? '–' : `${x.toLocaleString('en-US')} B`);
    const r = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '–');
    rows.push([name, f(val('raw') ?? (s.raw ? 0 : null)), f(val('pusher-js')), f(val('pusher-wasm')), r(val('pusher-wasm'), val('pusher-js')), '–']);
  }
  const req = (v) => (s[v] ? String(s[v].requests) : '–');
  rows.push(['Requests for the library', req('raw'), req('pusher-js'), req('pusher-wasm'), '–', '–']);
  return rows;
}

function tableRows(results, metrics) {
  const rows = sizeRows(results);
  for (const [key, text, unit, , , , opts = {}] of metrics) {
    const s = results.summary[key] ?? {};
    rows.push([
      `${label(results, text)} (${unit})`,
      cell(s.raw, unit),
      cell(s['pusher-js'], unit),
      cell(s['pusher-wasm'], unit),
      ratioCell(s['pusher-wasm'], s['pusher-js']),
      opts.rawRatio === false ? '–' : ratioCell(s['pusher-wasm'], s.raw),
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
  const rows = [];
  for (const [part, size] of [['small', '100 B'], ['large', '2 KB']]) {
    for (const [figure, text, unit] of [
      ['msgsPerSec', `Paired blasts: throughput, ${size} events`, 'msg/s'],
      ['cpuUsPerMsg', `Paired blasts: browser CPU per ${size} event`, 'µs'],
    ]) {
      const f = p[part]?.[figure];
      if (!f) continue;
      rows.push([
        `${text} (${unit})`,
        cell(f.own.raw, unit),
        cell(f.own['pusher-js'], unit),
        cell(f.own['pusher-wasm'], unit),
        pairedRatioCell(f.overJs),
        pairedRatioCell(f.overRaw),
      ]);
    }
  }
  return rows;
}

const HEAD = ['', 'raw', 'pusher-js', 'pusher-wasm', 'wasm / js', 'wasm / raw'];

function header(results) {
  const m = results.machine;
  const c = results.config;
  const rounds = results.quick ? '1 round (--quick: not a measurement)' : `${c.rounds} rounds`;
  return [
    `Date ${results.date.slice(0, 16).replace('T', ' ')} UTC · ${results.browser} (headless) · ${m.nproc} × ${m.cpuModel}, ` +
      `${(m.memTotalMB / 1024).toFixed(0)} GB · load average ${results.loadavg.before[0].toFixed(2)} before, ` +
      `${results.loadavg.after[0].toFixed(2)} after · Node ${m.node} · ${rounds}`,
    `Medians, with the range over rounds in parentheses. ${c.small.n.toLocaleString('en-US')} × ${bytes(c.small.size)} and ` +
      `${c.large.n.toLocaleString('en-US')} × ${bytes(c.large.size)} events back to back; latency over ${c.latency.n} events at ` +
      `${Math.round(1000 / c.latency.intervalMs)}/s; presence channels with ${c.members} members (the subscriber among them); ` +
      `reconnect with ${c.reconnect.channels} channels and the server down ${c.reconnect.downMs} ms. JS heap after gc, ` +
      `less the page's own before the library loaded. CPU: user+sys of all Chromium processes per event.` +
      (results.paired
        ? ` Paired blasts: ${results.paired.pairs} pair(s) per size, one open browser per variant, blasts back to back in rotating ` +
          `order; their ratio columns are medians of the per-pair ratios (range).`
        : ''),
  ];
}

export function renderMarkdown(results, metrics) {
  const rows = tableRows(results, metrics);
  const lines = [...header(results).map((l) => l + '\n'), `| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i ? '---:' : '---')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  if (results.problems?.length) {
    lines.push('', `Problems seen (${results.problems.length}):`, '', ...results.problems.map((p) => `- ${p}`));
  }
  if (results.warnings?.length) {
    lines.push('', 'Warnings:', '', ...results.warnings.map((p) => `- ${p}`));
  }
  return lines.join('\n') + '\n';
}

export function renderConsole(results, metrics) {
  const rows = [HEAD, ...tableRows(results, metrics)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  const pad = (s, w, left) => (left ? s + ' '.repeat(w - [...s].length) : ' '.repeat(w - [...s].length) + s);
  return [
    ...header(results),
    '',
    ...rows.map((r) => r.map((c, i) => pad(c, widths[i], i === 0)).join('  ')),
  ].join('\n');
}

// ---- SVG -------------------------------------------------------------------------------------

const COLORS = { raw: '#9aa0a6', 'pusher-js': '#e8710a', 'pusher-wasm': '#5b4fcf' };

const bytes = (n) => (n >= 1024 && n % 1024 === 0 ? `${n / 1024} KB` : `${n} B`);

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Four small panels of horizontal bars: throughput (100 B, 2 KB), CPU per event and transfer
 * size (gzip), each bar a median with a min–max whisker.
 */
export function renderSvg(results) {
  const s = results.summary;
  const sizes = results.sizes ?? {};
  const variants = ['raw', 'pusher-js', 'pusher-wasm'];
  const panels = [
    { title: `Throughput, ${bytes(results.config.small.size)} events (events/s, higher is better)`, data: s.tputSmall, unit: '' },
    { title: `Throughput, ${bytes(results.config.large.size)} events (events/s, higher is better)`, data: s.tputLarge, unit: '' },
    { title: `Browser CPU per ${bytes(results.config.small.size)} event (µs, lower is better)`, data: s.cpuSmall, unit: ' µs' },
    {
      title: 'Transfer size of the library, gzip -9 (KB, lower is better)',
      data: Object.fromEntries(
        variants.map((v) => {
          const g = sizes[v]?.gzip ?? (v === 'raw' ? 0 : null);
          return [v, g == null ? null : { median: g / 1000, min: g / 1000, max: g / 1000, n: 1 }];
        }),
      ),
      unit: ' KB',
      note: (v) => (sizes[v] ? `raw ${(sizes[v].raw / 1000).toFixed(1)}, brotli ${(sizes[v].brotli / 1000).toFixed(1)}` : ''),
    },
  ];
  const W = 720;
  const labelW = 110;
  const barMax = 330;
  const barH = 16;
  const gap = 6;
  const panelH = 24 + variants.length * (barH + gap) + 10;
  const H = 40 + panels.length * panelH + 18;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="14" font-weight="600">pusher-wasm vs pusher-js 8.6.0 and a raw WebSocket</text>`,
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
      const digits = p.unit === ' KB' ? 1 : p.unit === ' µs' ? 0 : 0;
      const text =
        v === 'raw' && p.unit === ' KB'
          ? 'none'
          : `${d.median.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${p.unit}` +
            (p.note ? ` (${p.note(v)})` : '');
      const xText = labelW + Math.max(w, d.n > 1 ? (d.max / max) * barMax : 0) + 6;
      out.push(`<text x="${xText.toFixed(1)}" y="${y + barH - 4}" fill="#333">${esc(text)}</text>`);
    });
  });
  const m = results.machine;
  out.push(
    `<text x="12" y="${H - 8}" font-size="10" fill="#777">${esc(
      `${results.date.slice(0, 10)} · ${results.browser} headless · ${m.nproc} × ${m.cpuModel} · medians, whiskers min–max over ${results.config.rounds} round(s)`,
    )}</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// Re-render from a JSON file.
if (import.meta.url === `file://${process.argv[1]}`) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { METRICS } = await import('./metrics.mjs');
  const file = process.argv[2] ?? new URL('../results/latest.json', import.meta.url).pathname;
  const results = JSON.parse(fs.readFileSync(file, 'utf8'));
  const dir = path.dirname(file);
  fs.writeFileSync(path.join(dir, 'latest.md'), renderMarkdown(results, METRICS));
  fs.writeFileSync(path.join(dir, 'plot.svg'), renderSvg(results));
  console.log(renderConsole(results, METRICS));
}
