//! What happens on a Rust panic. The release build is written to have no panicking paths; if one
//! is reached anyway, the user hears of it (through `Pusher.log` and the console) before the
//! module traps, instead of a bare `RuntimeError: unreachable`.

use alloc::string::String;

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
    // A panic while reporting one must not recurse.
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
}
