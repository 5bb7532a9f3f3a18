//! What happens on a Rust panic. The release build is written to have no panicking paths; if one
//! is reached anyway, the user hears of it before the module traps, instead of a bare
//! `RuntimeError: unreachable`: the console of the engine's page or worker, and an
//! `INTERNAL_ERROR` message to every session, which the facade reports through `Pusher.log`,
//! `Pusher.internalErrors` and an `error` event `{type: 'InternalError', error: message}`.

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use super::host::EngineHost;

/// The live engines, weakly, so a panic can tell their sessions.
struct Hosts(RefCell<Vec<Weak<EngineHost>>>);

// SAFETY: wasm32-unknown-unknown without the atomics feature runs on one thread only; the
// registry is never touched from another.
unsafe impl Sync for Hosts {}

static HOSTS: Hosts = Hosts(RefCell::new(Vec::new()));

/// Records an engine, so that a panic reaches its sessions. Dead entries are pruned.
pub fn register(host: &Rc<EngineHost>) {
    if let Ok(mut hosts) = HOSTS.0.try_borrow_mut() {
        hosts.retain(|h| h.strong_count() > 0);
        hosts.push(Rc::downgrade(host));
    }
}

#[cfg(not(test))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    report(info);
    core::arch::wasm32::unreachable()
}

#[allow(dead_code)]
fn report(info: &core::panic::PanicInfo) {
    use core::sync::atomic::{AtomicBool, Ordering};
    static REPORTED: AtomicBool = AtomicBool::new(false);
    // A panic while reporting one (a facade calling back into the broken engine) must not
    // recurse.
    if REPORTED.swap(true, Ordering::Relaxed) {
        return;
    }
    let mut message = String::from("pusher-wasm internal error");
    if let Some(location) = info.location() {
        message.push_str(" at ");
        message.push_str(location.file());
        message.push(':');
        crate::protocol::push_u64(&mut message, u64::from(location.line()));
    }
    if let Some(text) = info.message().as_str() {
        message.push_str(": ");
        message.push_str(text);
    }
    message.push_str(". The client has stopped; please report this.");
    super::js::report_panic(&message);
    let hosts: Vec<Rc<EngineHost>> = match HOSTS.0.try_borrow() {
        Ok(hosts) => hosts.iter().filter_map(Weak::upgrade).collect(),
        Err(_) => Vec::new(),
    };
    for host in hosts {
        let sessions = host.sessions();
        host.report_internal_error(&sessions, &message);
    }
}
