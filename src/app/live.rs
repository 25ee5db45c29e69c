//! The live feed: new log events for every open screen, read from the log once.
//!
//! One follower task reads each page of new events once, works out once what each event
//! concerns (its meeting, the State it is about, whether it is restricted) and serialises it
//! once. It hands each event to a broadcast channel per meeting that someone follows (and to
//! one channel for those who follow everything), so a room screen wakes only for its own
//! meeting's events. Without this, ten thousand screens meant ten thousand reads of the log
//! for every event, and ten thousand decodings of it.
//!
//! Nothing is skipped: each event on a channel names the position of the one sent before it
//! on that channel. A subscriber that has not seen that one (it started behind, or fell more
//! than [`BUFFER`] events behind its channel) reads the log itself from its last position,
//! then rejoins the channel.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::broadcast;

use crate::projections::visibility::{Audience, Reader};
use crate::projections::{meeting_of, payload_fields};
use crate::store::{EventStore, StoredEvent};

/// Events a channel keeps for subscribers that are momentarily slower than the feed.
pub const BUFFER: usize = 4096;
/// Events read from the log per round trip.
const PAGE: i64 = 500;

/// One event as every screen receives it.
#[derive(Debug)]
pub struct LiveEvent {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub event_type: String,
    /// The meeting the event concerns, if any.
    pub meeting: Option<String>,
    /// Who may see it.
    pub audience: Audience,
    /// The event as the stream sends it (JSON), serialised once for everyone.
    pub data: String,
}

impl LiveEvent {
    pub fn from_stored(e: &StoredEvent) -> Self {
        let fields = payload_fields(e);
        let meeting = meeting_of(e, fields.as_ref());
        let audience = Audience::of(e, fields.as_ref());
        let data = serde_json::json!({
            "position": e.position,
            "aggregate_type": e.aggregate_type,
            "aggregate_id": e.aggregate_id,
            "stream_version": e.stream_version,
            "event_type": e.event_type,
            "recorded_at": crate::app::history::rfc3339(e.recorded_at_us),
            // Upcast: a screen resuming from an old position sees today's shapes.
            "payload": crate::store::decode::decode::<serde_json::Value>(e).ok(),
        })
        .to_string();
        Self {
            position: e.position,
            aggregate_type: e.aggregate_type.clone(),
            aggregate_id: e.aggregate_id.clone(),
            event_type: e.event_type.clone(),
            meeting,
            audience,
            data,
        }
    }
}

/// What one subscriber wants: one meeting's events (or all), as far as its reader may see.
#[derive(Debug, Clone)]
pub struct Filter {
    pub meeting: Option<String>,
    pub reader: Reader,
}

impl Filter {
    pub fn wants(&self, e: &LiveEvent) -> bool {
        if self.meeting.is_some() && e.meeting != self.meeting {
            return false;
        }
        e.audience.visible_to(&self.reader, e.meeting.as_deref())
    }
}

/// An event on a channel, with the position of the event sent before it on that channel.
#[derive(Debug, Clone)]
struct Sent {
    event: Arc<LiveEvent>,
    previous: i64,
}

struct Channel {
    tx: broadcast::Sender<Sent>,
    /// The position of the last event sent on it (or, before any, the follower's position
    /// when it was opened).
    last: i64,
}

/// The channels, keyed by meeting (`None`: everything), and how far the follower has got.
struct Channels {
    by_meeting: HashMap<Option<String>, Channel>,
    /// Every event up to here has been handed to the channels open at the time.
    sent: i64,
}

impl Channels {
    /// Whether any channel may want `e`. A meeting's own event is looked up by its stream
    /// without decoding it; another may name a meeting in its payload.
    fn wants(&self, e: &StoredEvent) -> bool {
        self.by_meeting.contains_key(&None)
            || (e.aggregate_type != <crate::domain::meeting::Meeting as cqrs_es::Aggregate>::TYPE
                && !self.by_meeting.is_empty())
            || self.by_meeting.contains_key(&Some(e.aggregate_id.clone()))
    }

    fn send(&mut self, key: &Option<String>, e: &Arc<LiveEvent>) {
        if let Some(c) = self.by_meeting.get_mut(key) {
            // No receiver is not an error: screens come and go.
            let _ = c.tx.send(Sent {
                event: e.clone(),
                previous: c.last,
            });
            c.last = e.position;
        }
    }
}

/// The feed. Its follower starts with the first subscriber and ends when the feed is dropped.
#[derive(Clone)]
pub struct Live {
    store: EventStore,
    channels: Arc<Mutex<Channels>>,
    started: Arc<OnceLock<()>>,
}

impl Live {
    pub fn new(store: EventStore) -> Self {
        Self {
            store,
            channels: Arc::new(Mutex::new(Channels {
                by_meeting: HashMap::new(),
                sent: 0,
            })),
            started: Arc::new(OnceLock::new()),
        }
    }

    /// Screens following the feed now.
    pub fn subscribers(&self) -> usize {
        lock(&self.channels)
            .by_meeting
            .values()
            .map(|c| c.tx.receiver_count())
            .sum()
    }

    fn start(&self) {
        self.started.get_or_init(|| {
            let head = self.store.head();
            lock(&self.channels).sent = head;
            let follower = Follower {
                store: self.store.clone(),
                channels: Arc::downgrade(&self.channels),
                after: head,
            };
            tokio::spawn(follower.run());
        });
    }

    /// Joins the channel for `meeting`: the receiver, and whether the subscriber, having seen
    /// everything up to `after`, can take the channel from here without reading the log.
    fn join(&self, meeting: &Option<String>, after: i64) -> (broadcast::Receiver<Sent>, bool) {
        let mut ch = lock(&self.channels);
        let sent = ch.sent;
        let channel = ch
            .by_meeting
            .entry(meeting.clone())
            .or_insert_with(|| Channel {
                tx: broadcast::channel(BUFFER).0,
                last: sent,
            });
        (channel.tx.subscribe(), after >= sent)
    }

    /// Every event after `after` that `filter` wants, in order, then new ones as they come.
    pub fn follow(&self, after: i64, filter: Filter) -> impl Stream<Item = Arc<LiveEvent>> {
        self.start();
        let sub = Subscriber {
            live: self.clone(),
            rx: None,
            after,
            filter,
            ready: VecDeque::new(),
        };
        futures_util::stream::unfold(sub, |mut sub| async move {
            let next = sub.next().await?;
            Some((next, sub))
        })
    }
}

fn lock(m: &Mutex<Channels>) -> std::sync::MutexGuard<'_, Channels> {
    // The data stays consistent whatever panicked while holding it: each field is written
    // in one assignment.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Follower {
    store: EventStore,
    channels: Weak<Mutex<Channels>>,
    after: i64,
}

impl Follower {
    async fn run(mut self) {
        let mut head = self.store.subscribe();
        loop {
            let page = match self.store.read_all(self.after, PAGE).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(error = %e, "live feed: reading the log failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let Some(channels) = self.channels.upgrade() else {
                return;
            };
            if page.is_empty() {
                drop(channels);
                // Wake on the next append; look again now and then in case a notification of
                // another process's append was missed.
                let _ = tokio::time::timeout(Duration::from_secs(5), head.changed()).await;
                continue;
            }
            let mut ch = lock(&channels);
            // Channels nobody follows any more are closed here, not by their last screen.
            ch.by_meeting.retain(|_, c| c.tx.receiver_count() > 0);
            for e in &page {
                if ch.wants(e) {
                    let e = Arc::new(LiveEvent::from_stored(e));
                    ch.send(&None, &e);
                    if e.meeting.is_some() {
                        ch.send(&e.meeting, &e);
                    }
                }
                ch.sent = e.position;
                self.after = e.position;
            }
        }
    }
}

struct Subscriber {
    live: Live,
    /// `None` while catching up from the log.
    rx: Option<broadcast::Receiver<Sent>>,
    /// The last position seen (wanted or not).
    after: i64,
    filter: Filter,
    ready: VecDeque<Arc<LiveEvent>>,
}

impl Subscriber {
    async fn next(&mut self) -> Option<Arc<LiveEvent>> {
        loop {
            if let Some(e) = self.ready.pop_front() {
                return Some(e);
            }
            match self.rx.as_mut() {
                None => self.catch_up().await,
                Some(rx) => match rx.recv().await {
                    Ok(s) if s.event.position <= self.after => {}
                    Ok(s) if s.previous <= self.after => {
                        self.after = s.event.position;
                        if self.filter.wants(&s.event) {
                            return Some(s.event);
                        }
                    }
                    // An event of this channel was sent before this subscriber could see
                    // it, or it fell behind the channel: read the log from the last position
                    // seen.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.rx = None,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    }

    /// Joins the channel, then reads the log page by page until it has nothing newer. The
    /// receiver is taken before the read, so what the feed sends from then on is queued for
    /// it. A subscriber already level with the feed (a screen opening now) reads nothing.
    async fn catch_up(&mut self) {
        let (rx, level) = self.live.join(&self.filter.meeting, self.after);
        if level {
            self.rx = Some(rx);
            return;
        }
        match self.live.store.read_all(self.after, PAGE).await {
            Ok(page) if page.is_empty() => self.rx = Some(rx),
            Ok(page) => {
                for e in &page {
                    let e = Arc::new(LiveEvent::from_stored(e));
                    self.after = e.position;
                    if self.filter.wants(&e) {
                        self.ready.push_back(e);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "live stream: reading the log failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
