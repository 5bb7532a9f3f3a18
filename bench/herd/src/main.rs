//! The thundering herd, simulated: 100,000 clients lose their server at the same instant (a node
//! killed behind the balancer), the server is down for 2 s (a restart) or 30 s (an outage), and
//! every client reconnects on its own schedule. pusher-wasm is the real core (`Client`, fed
//! events with fake time, its actions carried out like the browser shim does); pusher-js 8.6.0 is
//! a model of its source. Prints a table (Markdown) and writes an SVG plot.
//!
//!   cargo run --release --manifest-path bench/herd/Cargo.toml -- [--clients N] [--seed S]
//!       [--svg docs/herd-plot.svg] [--base-ms MS] [--cap-ms MS]
//!
//! `--base-ms`/`--cap-ms` try other backoff bounds on the same core (what-if runs).

mod ours;
mod pusher_js;
mod sim;
mod svg;
mod value;

use sim::{Case, Outcome, CONNECT_MS, REFUSE_MS, WINDOW_MS};

pub const CASES: [Case; 2] = [
    Case {
        name: "node restart, down 2 s",
        down_ms: 2_000,
    },
    Case {
        name: "outage, down 30 s",
        down_ms: 30_000,
    },
];

struct Args {
    clients: usize,
    seed: u64,
    svg: Option<String>,
    base_ms: Option<u64>,
    cap_ms: Option<u64>,
}

fn parse_args() -> Args {
    let mut args = Args {
        clients: 100_000,
        seed: 1,
        svg: None,
        base_ms: None,
        cap_ms: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--clients" => args.clients = value().parse().expect("--clients N"),
            "--seed" => args.seed = value().parse().expect("--seed S"),
            "--svg" => args.svg = Some(value()),
            "--base-ms" => args.base_ms = Some(value().parse().expect("--base-ms MS")),
            "--cap-ms" => args.cap_ms = Some(value().parse().expect("--cap-ms MS")),
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

pub struct Run {
    pub case: Case,
    /// pusher-js whose connections were made less than 30 min before (transport cache fresh).
    pub pusher_js: Outcome,
    /// pusher-js whose connections are older (cache expired: one socket fewer per retry).
    pub pusher_js_old: Outcome,
    pub ours: Outcome,
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

fn after_back(outcome: &Outcome, case: &Case, share: f64) -> String {
    match outcome.time_to(share) {
        Some(t) => seconds(t.saturating_sub(case.down_ms)),
        None => "never".into(),
    }
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn main() {
    let args = parse_args();
    let options = ours::options(args.base_ms, args.cap_ms);
    println!(
        "{} clients, killed at once; an attempt connects after {CONNECT_MS} ms when the server is \
         up and fails after {REFUSE_MS} ms when it is down; windows of {WINDOW_MS} ms from the \
         kill. pusher-wasm backoff: base {} ms, cap {} ms; seed {}.\n",
        thousands(args.clients as u64),
        options.backoff_base_ms,
        options.backoff_cap_ms,
        args.seed
    );
    println!(
        "| case | client | attempts | peak per 100 ms (at) | peak after the server is back (at) \
         | 50 % / 99 % / all connected, after the server is back |"
    );
    println!("|---|---|---:|---:|---:|---|");
    let mut runs = Vec::new();
    for case in CASES {
        let started = std::time::Instant::now();
        let run = Run {
            case,
            pusher_js: pusher_js::simulate(case, args.clients, true),
            pusher_js_old: pusher_js::simulate(case, args.clients, false),
            ours: ours::simulate(case, args.clients, &options, args.seed),
        };
        for (name, outcome) in [
            ("pusher-js, connected < 30 min", &run.pusher_js),
            ("pusher-js, connected ≥ 30 min", &run.pusher_js_old),
            ("pusher-wasm", &run.ours),
        ] {
            let (peak, at) = outcome.peak();
            let (peak_back, at_back) = outcome.peak_from(case.down_ms);
            println!(
                "| {} | {name} | {} | {} ({}) | {} ({}) | {} / {} / {} |",
                case.name,
                thousands(outcome.total_attempts()),
                thousands(peak),
                seconds(at),
                thousands(peak_back),
                seconds(at_back),
                after_back(outcome, &case, 0.5),
                after_back(outcome, &case, 0.99),
                after_back(outcome, &case, 1.0),
            );
        }
        let ratio = |js: &Outcome| run.ours.peak().0 as f64 / js.peak().0 as f64;
        eprintln!(
            "{}: simulated in {:.1} s; peak pusher-wasm / pusher-js = {:.4} (connected < 30 min), \
             {:.4} (≥ 30 min)",
            case.name,
            started.elapsed().as_secs_f64(),
            ratio(&run.pusher_js),
            ratio(&run.pusher_js_old),
        );
        runs.push(run);
    }
    if let Some(path) = args.svg {
        std::fs::write(&path, svg::plot(&runs, args.clients)).expect("write the SVG");
        eprintln!("wrote {path}");
    }
}
