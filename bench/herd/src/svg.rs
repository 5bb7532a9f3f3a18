//! The plot: for each case, connection attempts per 100 ms (log scale, left) and the share of
//! clients connected again (linear, right), both clients, the server's downtime shaded.

use std::fmt::Write;

use crate::sim::WINDOW_MS;
use crate::Run;

const WIDTH: f64 = 900.0;
const PANEL: f64 = 250.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 60.0;
const TOP: f64 = 64.0;
const GAP: f64 = 100.0;
const JS: &str = "#d95f02";
const OURS: &str = "#1b7fb0";
const MAX_DECADE: i32 = 6;

pub fn plot(runs: &[Run], clients: usize) -> String {
    let height = TOP + runs.len() as f64 * (PANEL + GAP);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{} clients lose their server at once: connection attempts per 100 ms (solid, log) and share connected (dashed)</text>"#,
        crate::thousands(clients as u64)
    );
    for (k, run) in runs.iter().enumerate() {
        panel(&mut s, run, TOP + k as f64 * (PANEL + GAP));
    }
    s.push_str("</svg>\n");
    s
}

fn panel(s: &mut String, run: &Run, top: f64) {
    let case = &run.case;
    // Show until the slower client is all back, plus a little.
    let last = [&run.pusher_js, &run.ours]
        .iter()
        .filter_map(|o| o.time_to(1.0))
        .max()
        .unwrap_or(case.down_ms + 20_000);
    let span_ms = ((last + 4_000) / 5_000 + 1) * 5_000;
    let plot_w = WIDTH - LEFT - RIGHT;
    let x = |ms: f64| LEFT + ms / span_ms as f64 * plot_w;
    let y_log = |n: f64| {
        let v = if n < 1.0 { 0.0 } else { n.log10() };
        top + PANEL - v / MAX_DECADE as f64 * PANEL
    };
    let y_share = |share: f64| top + PANEL - share * PANEL;

    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="{}" font-size="13" font-weight="bold">{}: the server is down from 0 to {} s</text>"#,
        top - 8.0,
        case.name,
        case.down_ms / 1000
    );
    // downtime
    let _ = writeln!(
        s,
        r##"<rect x="{:.1}" y="{top}" width="{:.1}" height="{PANEL}" fill="#eeeeee"/>"##,
        x(0.0),
        x(case.down_ms as f64) - x(0.0)
    );
    // grid and axes
    for d in 0..=MAX_DECADE {
        let y = y_log(10f64.powi(d));
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#dddddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            y + 4.0,
            crate::thousands(10u64.pow(d as u32))
        );
    }
    for p in [0, 25, 50, 75, 100] {
        let y = y_share(p as f64 / 100.0);
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}">{p} %</text>"#,
            LEFT + plot_w + 6.0,
            y + 4.0
        );
    }
    let step = if span_ms > 40_000 { 10_000 } else { 5_000 };
    let mut t = 0;
    while t <= span_ms {
        let xx = x(t as f64);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top}" y2="{:.1}" stroke="#dddddd"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{} s</text>"##,
            top + PANEL,
            top + PANEL + 16.0,
            t / 1000
        );
        t += step;
    }
    let _ = writeln!(
        s,
        r##"<rect x="{LEFT}" y="{top}" width="{plot_w:.1}" height="{PANEL}" fill="none" stroke="#888888"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">seconds after the kill</text>"#,
        LEFT + plot_w / 2.0,
        top + PANEL + 32.0
    );

    for (outcome, color) in [(&run.pusher_js, JS), (&run.ours, OURS)] {
        // attempts, as steps
        let mut d = String::new();
        let windows = (span_ms / WINDOW_MS) as usize;
        for (i, &n) in outcome.attempts.iter().take(windows).enumerate() {
            let x0 = x((i as u64 * WINDOW_MS) as f64);
            let x1 = x(((i as u64 + 1) * WINDOW_MS) as f64);
            let y = y_log(n as f64);
            let _ = write!(
                d,
                "{}{x0:.1},{y:.1} L{x1:.1},{y:.1} ",
                if i == 0 { "M" } else { "L" }
            );
        }
        let _ = writeln!(
            s,
            r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="1.5"/>"#
        );
        // share connected
        let mut times = outcome.reconnected.clone();
        times.sort_unstable();
        let mut d = format!("M{:.1},{:.1} ", x(0.0), y_share(0.0));
        for (k, &t) in times.iter().enumerate() {
            if t > span_ms {
                break;
            }
            // one point per 0.5 % of the clients keeps the file small
            let stride = (outcome.clients / 200).max(1);
            if (k + 1) % stride == 0 || k + 1 == times.len() {
                let share = (k + 1) as f64 / outcome.clients as f64;
                let _ = write!(d, "L{:.1},{:.1} ", x(t as f64), y_share(share));
            }
        }
        let _ = writeln!(
            s,
            r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="1.5" stroke-dasharray="5,3"/>"#
        );
        if let Some(t99) = outcome.time_to(0.99) {
            let xx = x(t99 as f64);
            let _ = writeln!(
                s,
                r#"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top}" y2="{:.1}" stroke="{color}" stroke-width="1" stroke-dasharray="1,3"/>"#,
                top + PANEL
            );
        }
    }
    // legend
    let lx = LEFT;
    for (k, (color, name)) in [
        (
            JS,
            "pusher-js 8.6.0 (model of its source; connected under 30 min before, so 2 sockets each at 1 s)",
        ),
        (OURS, "pusher-wasm (core)"),
    ]
    .iter()
    .enumerate()
    {
        let ly = top + PANEL + 50.0 + k as f64 * 16.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx:.1}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{color}" stroke-width="2"/><text x="{:.1}" y="{:.1}">{name}; dotted: 99 % connected</text>"#,
            lx + 20.0,
            lx + 26.0,
            ly + 4.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text transform="translate({:.1},{:.1}) rotate(-90)" text-anchor="middle">attempts per 100 ms</text>"#,
        16.0,
        top + PANEL / 2.0
    );
}
