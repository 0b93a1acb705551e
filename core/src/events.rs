//! The event queue every rtckit object exposes: plain event values, pulled in batches.
//!
//! webrtc-rs calls back on its driver task, which must never wait for Python or Node; the
//! handlers only push here. A binding pulls with [`EventQueue::next_batch`] and dispatches in
//! its own language. [`EventQueue::close`] settles a pending pull (an unsettled napi Promise
//! keeps Node alive) once what was queued before it has been taken.

use std::collections::VecDeque;
use std::sync::Mutex;

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
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self {
            state: Mutex::new(State { items: VecDeque::new(), closed: false }),
            notify: Notify::new(),
        }
    }
}

impl<T> EventQueue<T> {
    /// Queues an event; dropped silently once the queue is closed.
    pub fn push(&self, item: T) {
        {
            let mut state = self.state.lock().unwrap();
            if state.closed {
                return;
            }
            state.items.push_back(item);
        }
        self.notify.notify_one();
    }

    /// Queues a last event and closes the queue in one step, so nothing slips in after it.
    pub fn push_and_close(&self, item: Option<T>) {
        {
            let mut state = self.state.lock().unwrap();
            if state.closed {
                return;
            }
            if let Some(item) = item {
                state.items.push_back(item);
            }
            state.closed = true;
        }
        self.notify.notify_one();
    }

    pub fn close(&self) {
        self.push_and_close(None);
    }

    pub fn is_closed(&self) -> bool {
        self.state.lock().unwrap().closed
    }

    /// Waits for at least one event and takes up to [`MAX_BATCH`]; an empty batch means the
    /// queue is closed and drained: the binding stops pulling.
    pub async fn next_batch(&self) -> Vec<T> {
        loop {
            let notified = self.notify.notified();
            {
                let mut state = self.state.lock().unwrap();
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
