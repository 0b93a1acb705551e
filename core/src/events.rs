//! The event queue every rtckit object exposes: plain event values, pulled in batches.
//!
//! webrtc-rs calls back on its driver task, which must never wait for Python or Node; the
//! handlers only push here. A binding pulls with [`EventQueue::next_batch`] and dispatches in
//! its own language. [`EventQueue::close`] settles a pending pull (an unsettled napi Promise
//! keeps Node alive) once what was queued before it has been taken.
//!
//! A binding whose language has its own event loop (Python's asyncio) can instead set a
//! [`Listener`]: it is called when events become available, and the binding takes them
//! with [`EventQueue::take_batch`] from its loop, without a future per batch.

use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;

/// Called (from any thread, holding no lock) when a queue goes from empty to non-empty,
/// when a batch was taken and more remain, and when the queue closes.
pub type Listener = Arc<dyn Fn() + Send + Sync>;

use tokio::sync::Notify;

/// Most events handed over per pull: large enough to amortise the crossing into Python or
/// Node under a burst of messages, small enough to keep dispatch fair between objects.
pub const MAX_BATCH: usize = 256;

pub struct EventQueue<T> {
    state: Mutex<State<T>>,
    notify: Notify,
}

struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    listener: Option<Listener>,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self {
            state: Mutex::new(State { items: VecDeque::new(), closed: false, listener: None }),
            notify: Notify::new(),
        }
    }
}

impl<T> EventQueue<T> {
    /// Queues an event; dropped silently once the queue is closed.
    pub fn push(&self, item: T) {
        let listener = {
            let mut state = self.state.lock();
            if state.closed {
                return;
            }
            state.items.push_back(item);
            if state.items.len() == 1 {
                state.listener.clone()
            } else {
                None
            }
        };
        self.notify.notify_one();
        if let Some(listener) = listener {
            listener();
        }
    }

    /// Sets the listener; called at once if events (or the end) are already waiting.
    pub fn set_listener(&self, listener: Listener) {
        let pending = {
            let mut state = self.state.lock();
            state.listener = Some(listener.clone());
            !state.items.is_empty() || state.closed
        };
        if pending {
            listener();
        }
    }

    /// Takes up to [`MAX_BATCH`] events without waiting; `true` once the queue is closed and
    /// everything has been taken (the binding then forgets the object).
    pub fn take_batch(&self) -> (Vec<T>, bool) {
        let (batch, ended, more) = {
            let mut state = self.state.lock();
            let n = state.items.len().min(MAX_BATCH);
            let batch: Vec<T> = state.items.drain(..n).collect();
            let ended = state.closed && state.items.is_empty();
            let more = if !state.items.is_empty() { state.listener.clone() } else { None };
            if ended {
                state.listener = None;
            }
            (batch, ended, more)
        };
        if let Some(listener) = more {
            listener();
        }
        (batch, ended)
    }

    /// Queues a last event and closes the queue in one step, so nothing slips in after it.
    pub fn push_and_close(&self, item: Option<T>) {
        let listener = {
            let mut state = self.state.lock();
            if state.closed {
                return;
            }
            if let Some(item) = item {
                state.items.push_back(item);
            }
            state.closed = true;
            state.listener.clone()
        };
        self.notify.notify_one();
        if let Some(listener) = listener {
            listener();
        }
    }

    pub fn close(&self) {
        self.push_and_close(None);
    }

    pub fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    /// Waits for at least one event and takes up to [`MAX_BATCH`]; an empty batch means the
    /// queue is closed and drained: the binding stops pulling.
    pub async fn next_batch(&self) -> Vec<T> {
        loop {
            let notified = self.notify.notified();
            {
                let mut state = self.state.lock();
                if !state.items.is_empty() {
                    let n = state.items.len().min(MAX_BATCH);
                    let batch: Vec<T> = state.items.drain(..n).collect();
                    if !state.items.is_empty() || state.closed {
                        // Leave a permit for the next pull.
                        self.notify.notify_one();
                    }
                    return batch;
                }
                if state.closed {
                    self.notify.notify_one();
                    return Vec::new();
                }
            }
            notified.await;
        }
    }
}

/// The objects a binding's event loop should look at: a listener marks its object's key;
/// the binding wakes its loop only when the first key of a round is marked, and the loop
/// takes every key marked since (each once). Python wakes asyncio through a socket, Node
/// through one threadsafe function; both keep their objects by key.
#[derive(Default)]
pub struct ReadyKeys {
    /// Keys marked, and whether a wake is outstanding.
    state: Mutex<(Vec<u64>, bool)>,
}

impl ReadyKeys {
    /// Marks `key`; `true` when the binding must wake its loop (no wake is outstanding).
    pub fn mark(&self, key: u64) -> bool {
        let mut state = self.state.lock();
        state.0.push(key);
        !std::mem::replace(&mut state.1, true)
    }

    /// The keys marked since the last take, in order, each once; the next mark wakes again.
    pub fn take(&self) -> Vec<u64> {
        let mut state = self.state.lock();
        state.1 = false;
        let mut keys = std::mem::take(&mut state.0);
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        keys.retain(|k| seen.insert(*k));
        keys
    }
}
