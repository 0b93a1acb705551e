//! The W3C operations chain: createOffer, createAnswer, setLocalDescription,
//! setRemoteDescription and addIceCandidate run one at a time, in the order they were
//! called, whether or not the caller awaited the previous one (`createAnswer()` right after
//! an un-awaited `setRemoteDescription()`).
//!
//! A binding takes its place with [`Operations::enqueue`] in the synchronous part of the
//! call, where its language's order is known, then runs the operation with
//! [`Ticket::run`]: a future spawned on the runtime is polled in no particular order.

use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;

#[derive(Default)]
pub struct Operations {
    state: Mutex<State>,
    /// The ticket whose turn it is.
    turn: watch::Sender<u64>,
    /// Called when the last ticket is done (W3C's "when the chain becomes empty").
    on_empty: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
}

#[derive(Default)]
struct State {
    next: u64,
    /// Tickets done (or dropped) before their turn came, so the turn can pass them.
    done: BTreeSet<u64>,
}

/// A place on the chain; dropping it (run or not) lets the next one go.
pub struct Ticket {
    operations: Arc<Operations>,
    number: u64,
}

impl Operations {
    /// The next place on the chain.
    pub fn enqueue(self: &Arc<Self>) -> Ticket {
        let mut state = self.state.lock();
        let number = state.next;
        state.next += 1;
        Ticket { operations: self.clone(), number }
    }

    /// Whether no operation is queued or running (W3C: [[Operations]] is empty).
    pub fn is_empty(&self) -> bool {
        let state = self.state.lock();
        *self.turn.borrow() == state.next
    }

    /// Sets what runs each time the chain becomes empty (once; later calls are ignored).
    pub fn on_empty(&self, f: impl Fn() + Send + Sync + 'static) {
        let _ = self.on_empty.set(Box::new(f));
    }
}

impl Ticket {
    /// Waits for this ticket's turn, runs `operation`, then lets the next one go.
    pub async fn run<T>(self, operation: impl Future<Output = T>) -> T {
        let mut turn = self.operations.turn.subscribe();
        let _ = turn.wait_for(|&t| t >= self.number).await;
        operation.await
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = self.operations.state.lock();
        state.done.insert(self.number);
        let mut turn = *self.operations.turn.borrow();
        while state.done.remove(&turn) {
            turn += 1;
        }
        self.operations.turn.send_replace(turn);
        let empty = turn == state.next;
        drop(state);
        if empty {
            if let Some(f) = self.operations.on_empty.get() {
                f();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn operations_run_in_the_order_they_were_enqueued() {
        let operations = Arc::new(Operations::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        let tickets: Vec<Ticket> = (0..20).map(|_| operations.enqueue()).collect();
        // Spawned in reverse: the runtime polls them in no useful order.
        for (i, ticket) in tickets.into_iter().enumerate().rev() {
            let order = order.clone();
            tasks.push(tokio::spawn(ticket.run(async move {
                tokio::task::yield_now().await;
                order.lock().push(i);
            })));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*order.lock(), (0..20).collect::<Vec<_>>());
        // A ticket dropped without running lets the next one go.
        let (skipped, next) = (operations.enqueue(), operations.enqueue());
        drop(skipped);
        tokio::time::timeout(std::time::Duration::from_secs(5), next.run(async {})).await.unwrap();
    }
}
