//! Connection recovery (`connectionRecovery: true`), the connection's side: asking for sockudo's
//! protocol 2 and falling back to 7, turning protocol 2's frames back into protocol 7's, keeping
//! each channel's position, and resuming the channels after a reconnect.
//!
//! After a reconnect every channel subscribes as usual. A channel that has a position holds its
//! events back from then on; once the channels on their way are confirmed, one `pusher:resume`
//! asks for what each missed after its position (one at a time: channels confirmed while one is
//! in flight go in the next). The server replays it, then answers
//! `resume_success` (naming the channels it recovered); each channel then emits
//! `pusher-wasm:resumed` and releases what it held, in serial order, each event once. A channel
//! the server cannot resume (its buffer no longer covers the position, or recovery is off) goes on
//! from its new subscription, with `recovered: false`, as without the option. A server that does
//! not speak protocol 2 answers in protocol 7 (nothing more happens) or refuses it (4007: the
//! client asks for protocol 7 from then on).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::Client;
use crate::protocol::channels::ChannelKind;
use crate::protocol::events::{self, LogLevel, LogLine, Payload, Target};
use crate::protocol::frame::{ClientFrame, Frame};
use crate::protocol::recovery::{normalise, ChannelRecovery, Position, Resume, Stage};
use crate::protocol::timers::TimerKind;
use crate::protocol::value::HostValue;

/// How long the channels confirmed after a reconnect wait for the others still on their way
/// before their resume goes without them: a slow authorization endpoint must not hold back the
/// events of every other channel for long.
const COLLECT_MS: u64 = 2_000;

/// The close code (and `pusher:error` code) of a server that does not support the protocol
/// version asked for (Pusher's 4007).
const UNSUPPORTED_PROTOCOL: u16 = 4007;

/// sockudo's `pusher:error` codes for a resume it will not take: recovery is off (4301), no
/// positions (4302).
const RESUME_REFUSED: [u16; 2] = [4301, 4302];

/// The connection's side of recovery: which protocol it asks for, and the resumes under way.
#[derive(Debug, Default)]
pub(super) struct Recovery {
    /// A server refused protocol 2 (4007): this client asks for protocol 7 from now on.
    refused: bool,
    /// The current socket was opened asking for protocol 2.
    asked: bool,
    /// ... and its server answered in protocol 2.
    speaking: bool,
    /// The server refused a resume on this connection (recovery is off): no more are sent.
    unavailable: bool,
    /// When the first of the channels waiting for the next `pusher:resume` was confirmed.
    batch_since: Option<u64>,
    /// When the resume in flight was sent.
    sent_at: Option<u64>,
}

impl Recovery {
    /// The connection is gone, and what was under way with it.
    pub(super) fn connection_lost(&mut self) {
        self.speaking = false;
        self.unavailable = false;
        self.batch_since = None;
        self.sent_at = None;
    }
}

/// Where a channel's resume stands, if it has one.
fn stage<V, H>(entry: &crate::protocol::ChannelEntry<V, H>) -> Option<Stage> {
    Some(entry.recovery.as_ref()?.resume.as_ref()?.stage)
}

impl<V: HostValue, H: Default> Client<V, H> {
    /// Whether the current connection speaks sockudo's protocol 2, and so can resume channels.
    pub fn speaks_recovery_protocol(&self) -> bool {
        self.recovery.speaking
    }

    /// A new socket: whether it asks for protocol 2 (the option is on, and no server refused it).
    pub(super) fn recovery_attempt(&mut self) -> bool {
        self.recovery.asked = self.options.connection_recovery && !self.recovery.refused;
        self.recovery.asked
    }

    /// The first frame of a socket that asked for protocol 2: its names become protocol 7's, and
    /// the connection speaks protocol 2 if its server answered in it.
    pub(super) fn recovery_handshake(&mut self, frame: &mut Frame<V>) {
        let renamed = self.recovery.asked && normalise(frame);
        self.recovery.speaking = renamed && frame.event == "pusher:connection_established";
    }

    /// Whether a refusal during the handshake (a close or `pusher:error` with `code`) is a server
    /// refusing protocol 2: the client then asks for protocol 7 from now on, at once, and the
    /// page hears nothing of it.
    pub(super) fn protocol_refused(&mut self, code: Option<u16>) -> bool {
        if !self.recovery.asked || code != Some(UNSUPPORTED_PROTOCOL) {
            return false;
        }
        self.recovery.refused = true;
        self.log(LogLevel::Warn, LogLine::RecoveryProtocolRefused);
        true
    }

    /// A frame of a protocol-2 connection, before anything else sees it: its names become
    /// protocol 7's and its recovery fields go. The answers to resumes are taken here; an event
    /// of a channel being resumed is held; a copy of an event already delivered, or an event of a
    /// channel this client does not have (sockudo replays channels it was never asked to), is
    /// dropped. What is left goes on, with the position a `subscription_succeeded` carried.
    pub(super) fn recovery_admit(
        &mut self,
        now: u64,
        mut frame: Frame<V>,
    ) -> Option<(Frame<V>, Option<Position>)> {
        normalise(&mut frame);
        let position = Position::take(&mut frame.raw);
        match frame.event.as_str() {
            "pusher:resume_success" => {
                self.resume_answered(now, &frame.data);
                return None;
            }
            "pusher:resume_failed" => {
                if let Some(channel) = frame.channel.as_deref() {
                    let code = frame.data.string_field("code");
                    self.resume_failed(now, channel, code);
                }
                return None;
            }
            "pusher:error" if self.recovery.sent_at.is_some() => {
                let code = frame.data.number_field("code");
                if RESUME_REFUSED.iter().any(|c| code == Some(f64::from(*c))) {
                    self.recovery.unavailable = true;
                    self.resume_refused(now);
                    return None;
                }
            }
            // sockudo adds it when it keeps channel history: protocol 7 has no such field.
            "pusher_internal:subscription_succeeded" => {
                frame.data.remove_field("attach_serial");
                return Some((frame, position));
            }
            _ => {}
        }
        let (Some(position), Some(channel)) = (position, frame.channel.as_deref()) else {
            return Some((frame, None));
        };
        // Not a channel of this client's: dropped.
        let entry = self.channels.get_mut(channel)?;
        if entry.kind == ChannelKind::ServerToUser {
            return Some((frame, None));
        }
        let recovery = entry.recovery.get_or_insert_with(Default::default);
        if let Some(resume) = recovery.resume.as_mut() {
            resume.held.hold(position, frame);
            return None;
        }
        // Not a copy of an event already delivered.
        let new = recovery.advance(position);
        if new {
            recovery.received(now);
        }
        new.then_some((frame, None))
    }

    /// A client event this client sent on `channel`, remembered on a protocol-2 connection so
    /// that a replay's copy of it is dropped (without the option the server never gives it back).
    pub(super) fn recovery_sent(
        &mut self,
        now: u64,
        channel: &str,
        event: &str,
        data_json: Option<&str>,
    ) {
        if !self.recovery.speaking {
            return;
        }
        if let Some(entry) = self.channels.get_mut(channel) {
            let recovery = entry.recovery.get_or_insert_with(Default::default);
            recovery.sent(now, event, data_json);
        }
    }

    /// A channel is being subscribed again after a reconnect: if it has a position and the server
    /// speaks protocol 2, its events are held until its resume is answered.
    pub(super) fn recovery_subscribing(&mut self, name: &str) {
        let speaking = self.recovery.speaking;
        let Some(entry) = self.channels.get_mut(name) else {
            return;
        };
        let Some(recovery) = entry.recovery.as_mut() else {
            return;
        };
        if speaking && entry.resumable && recovery.position.is_some() {
            recovery.resume = Some(Resume::new());
        }
    }

    /// A channel's subscription was confirmed, starting at `start` (what protocol 2's
    /// `subscription_succeeded` carries). `gap_ms` when it was subscribed on an earlier
    /// connection: the channel says it resumed, at once when it cannot or need not be recovered,
    /// else once the server answered its resume.
    pub(super) fn channel_subscribed(
        &mut self,
        now: u64,
        channel: &str,
        start: Option<Position>,
        gap_ms: Option<u64>,
    ) {
        let can_resume = self.recovery.speaking && !self.recovery.unavailable && start.is_some();
        let entry = self.channels.get_mut(channel);
        let Some(recovery) = entry
            .filter(|_| self.options.connection_recovery)
            .map(|e| e.recovery.get_or_insert_with(Default::default))
        else {
            if let Some(gap_ms) = gap_ms {
                self.emit_resumed(channel, gap_ms, false, 0);
            }
            return;
        };
        let ChannelRecovery {
            position, resume, ..
        } = &mut **recovery;
        let (Some(gap_ms), Some(resume)) = (gap_ms, resume.as_mut()) else {
            // A first subscription, or one that had nothing to resume from.
            *position = start;
            recovery.resume = None;
            if let Some(gap_ms) = gap_ms {
                self.emit_resumed(channel, gap_ms, false, 0);
            }
            return;
        };
        // Nothing was published meanwhile: there is nothing to ask for.
        let unchanged = start
            .as_ref()
            .is_some_and(|s| position.as_ref().is_some_and(|p| p.is_at(s)));
        resume.gap_ms = gap_ms;
        resume.start = start;
        if unchanged || !can_resume {
            self.finish_resume(now, channel, unchanged);
        } else {
            resume.stage = Stage::Queued;
            self.recovery.batch_since.get_or_insert(now);
            self.send_resume_when_ready(now);
        }
    }

    /// Sends the queued channels' resume once no other channel being resumed waits for its
    /// subscription (or, with one waiting, arms the deadline after which it goes anyway), and
    /// the resume in flight, if any, was answered.
    fn send_resume_when_ready(&mut self, now: u64) {
        if self.recovery.batch_since.is_none() {
            return;
        }
        let waiting = self
            .channels
            .iter()
            .any(|(_, e)| e.is_pending() && stage(e) == Some(Stage::Subscribing));
        if waiting || self.recovery.sent_at.is_some() {
            self.arm_resume_timer(now);
        } else {
            self.send_resume(now);
        }
    }

    /// One `pusher:resume` with the positions of the channels confirmed and queued.
    fn send_resume(&mut self, now: u64) {
        self.recovery.batch_since = None;
        if self.recovery.unavailable {
            self.fail_stage(now, Stage::Queued, "recovery is off at the server");
            return;
        }
        let mut count = 0;
        for (_, entry) in self.channels.iter_mut() {
            let queued = entry.recovery.as_mut().and_then(|r| {
                r.position.as_ref()?;
                r.resume.as_mut().filter(|r| r.stage == Stage::Queued)
            });
            if let Some(resume) = queued {
                resume.stage = Stage::Sent;
                count += 1;
            }
        }
        if count > 0 {
            let positions = self.channels.iter().filter_map(|(name, entry)| {
                let recovery = entry.recovery.as_ref()?;
                let sent = recovery.resume.as_ref()?.stage == Stage::Sent;
                Some((name, recovery.position.as_ref().filter(|_| sent)?))
            });
            let frame = ClientFrame::resume(positions);
            self.send(frame);
            self.recovery.sent_at = Some(now);
        }
        self.arm_resume_timer(now);
    }

    /// `pusher:resume_success {recovered: [{channel, ...}], failed: [...]}`: the answer to the
    /// resume in flight. Its channels named as recovered are; the others are not. The channels
    /// queued meanwhile go in the next.
    fn resume_answered(&mut self, now: u64, data: &V) {
        if self.recovery.sent_at.take().is_none() {
            return;
        }
        let recovered = data.field("recovered").map(|r| r.items());
        for item in recovered.unwrap_or_default() {
            let Some(name) = item.string_field("channel") else {
                continue;
            };
            if self.channels.get(&name).and_then(stage) == Some(Stage::Sent) {
                self.finish_resume(now, &name, true);
            }
        }
        self.fail_stage(now, Stage::Sent, "not in the server's answer");
        self.after_answer(now);
    }

    /// `pusher:resume_failed {code, ...}` on a channel: the server cannot resume it.
    fn resume_failed(&mut self, now: u64, channel: &str, code: Option<String>) {
        if self.channels.get(channel).and_then(stage) == Some(Stage::Sent) {
            self.log_not_recovered(channel, code.as_deref().unwrap_or("resume_failed"));
            self.finish_resume(now, channel, false);
        }
    }

    /// A `pusher:error` 4301/4302 answered the resume in flight: its channels go on from their
    /// new subscriptions, and so will those queued.
    fn resume_refused(&mut self, now: u64) {
        self.recovery.sent_at = None;
        self.fail_stage(now, Stage::Sent, "recovery is off at the server");
        self.after_answer(now);
    }

    /// The resume in flight is over: the channels queued meanwhile go in the next.
    fn after_answer(&mut self, now: u64) {
        self.send_resume_when_ready(now);
        self.arm_resume_timer(now);
    }

    /// The resume timer: gives up on a resume unanswered for the pong timeout, and sends the
    /// resume of the channels waiting longer than [`COLLECT_MS`] for the others.
    pub(super) fn resume_timer_fired(&mut self, now: u64) {
        let answer_ms = self.options.pong_timeout_ms;
        if self
            .recovery
            .sent_at
            .is_some_and(|at| at.saturating_add(answer_ms) <= now)
        {
            self.recovery.sent_at = None;
            self.fail_stage(now, Stage::Sent, "no answer to the resume");
        }
        let due = self
            .recovery
            .batch_since
            .is_some_and(|since| since.saturating_add(COLLECT_MS) <= now);
        if due && self.recovery.sent_at.is_none() {
            self.send_resume(now);
        }
        self.arm_resume_timer(now);
    }

    /// Arms the resume timer for its next deadline, or clears it when there is none.
    fn arm_resume_timer(&mut self, now: u64) {
        let answer = self
            .recovery
            .sent_at
            .map(|at| at.saturating_add(self.options.pong_timeout_ms));
        let collect = self
            .recovery
            .batch_since
            .map(|since| since.saturating_add(COLLECT_MS));
        // With a resume in flight, the next one waits for its answer.
        let deadline = answer.or(collect);
        match deadline {
            Some(at) if self.timers.deadline(TimerKind::Resume) != Some(at.max(now)) => {
                self.arm_timer(now, TimerKind::Resume, at.saturating_sub(now));
            }
            Some(_) => {}
            None => self.clear_timer(TimerKind::Resume),
        }
    }

    /// The channels whose resume is at `stage`.
    fn channels_at(&self, at: Stage) -> Vec<String> {
        self.channels
            .iter()
            .filter(|(_, e)| stage(e) == Some(at))
            .map(|(name, _)| String::from(name))
            .collect()
    }

    /// Every channel whose resume is at `stage` goes on from its new subscription.
    fn fail_stage(&mut self, now: u64, at: Stage, reason: &str) {
        for name in self.channels_at(at) {
            self.log_not_recovered(&name, reason);
            self.finish_resume(now, &name, false);
        }
    }

    /// The channel's resume is over: it says so (`pusher-wasm:resumed`), then delivers what it
    /// held that came after its position, in order, once. Not `recovered`, it goes on from its
    /// new subscription: the events held from before it (a partial replay) are dropped.
    fn finish_resume(&mut self, now: u64, channel: &str, recovered: bool) {
        let Some(recovery) = self.channel_recovery(channel) else {
            return;
        };
        let Some(resume) = recovery.resume.take() else {
            return;
        };
        if !recovered {
            recovery.position = resume.start.clone();
        }
        let events = resume.held.into_events();
        // The missed events: after the old position, up to the new subscription's start.
        let start = resume.start.as_ref();
        let replayed = events
            .iter()
            .filter(|(p, _)| recovery.is_new(p) && start.is_some_and(|s| !p.is_after(s)))
            .count();
        self.emit_resumed(channel, resume.gap_ms, recovered, replayed as u32);
        for (position, frame) in events {
            // Delivering one leaves the channel in the registry; the lookup is all the borrow
            // checker allows across `channel_frame`.
            let Some(recovery) = self.channel_recovery(channel) else {
                return;
            };
            if recovery.advance(position) && !recovery.is_own(&frame) {
                self.channel_frame(now, frame, None);
            }
        }
    }

    /// What `channel` keeps for recovery, if it has anything.
    fn channel_recovery(&mut self, channel: &str) -> Option<&mut ChannelRecovery<V>> {
        self.channels.get_mut(channel)?.recovery.as_deref_mut()
    }

    fn emit_resumed(&mut self, channel: &str, gap_ms: u64, recovered: bool, replayed: u32) {
        self.emit(
            Target::Channel(String::from(channel)),
            Cow::Borrowed(events::RESUMED),
            Payload::Resumed {
                gap_ms,
                recovered,
                replayed,
            },
        );
    }

    fn log_not_recovered(&mut self, channel: &str, reason: &str) {
        self.log(
            LogLevel::Debug,
            LogLine::NotRecovered {
                channel: String::from(channel),
                reason: String::from(reason),
            },
        );
    }
}
