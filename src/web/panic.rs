//! What happens on a Rust panic. The release build is written to have no panicking paths; if one
//! is reached anyway, the user hears of it before the module traps, instead of a bare
//! `RuntimeError: unreachable`: through `Pusher.log` and the console, `Pusher.internalErrors`,
//! and an `error` event `{type: 'InternalError', error: message}` on every live connection.

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use super::client::Shared;

/// The live clients, weakly, so a panic can tell each of them.
struct Clients(RefCell<Vec<Weak<Shared>>>);

// SAFETY: wasm32-unknown-unknown without the atomics feature runs on one thread only; the
// registry is never touched from another.
unsafe impl Sync for Clients {}

static CLIENTS: Clients = Clients(RefCell::new(Vec::new()));

/// Records a client, so that a panic reaches its `error` listeners. Dead entries are pruned.
pub fn register(client: &Rc<Shared>) {
    if let Ok(mut clients) = CLIENTS.0.try_borrow_mut() {
        clients.retain(|c| c.strong_count() > 0);
        clients.push(Rc::downgrade(client));
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
    // A panic while reporting one (a listener calling back into the broken client) must not
    // recurse.
    if REPORTED.swap(true, Ordering::Relaxed) {
        return;
    }
    let mut message = String::from("pusher-wasm internal error");
    if let Some(location) = info.location() {
        message.push_str(" at ");
        message.push_str(location.file());
        message.push(':');
        crate::core::push_u64(&mut message, u64::from(location.line()));
    }
    if let Some(text) = info.message().as_str() {
        message.push_str(": ");
        message.push_str(text);
    }
    message.push_str(". The client has stopped; please report this.");
    super::js::report_panic(&message);
    let clients: Vec<Rc<Shared>> = match CLIENTS.0.try_borrow() {
        Ok(clients) => clients.iter().filter_map(Weak::upgrade).collect(),
        Err(_) => Vec::new(),
    };
    for client in clients {
        client.report_internal_error(&message);
    }
}
