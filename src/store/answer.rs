//! How the store thread's answers reach whoever asked: a one-shot reply for
//! the CLI verbs and tests (`Reply<T>`, awaited with `store::reply` or
//! blocked on with `store::wait`), or a `StoreEvent` on the one bounded
//! channel the app's driver reads beside its sources and keys.

use super::{
    AliasRefusal, Confirmed, IntentKey, LearnedAlias, OrderRow, OrdersSummary, PendingIntent,
    PendingPage, Refusal, Resume, Sale, SaleRefusal, SeedReport, StockChanged, StockRefusal,
    StockRow, StoreError, SyncReport, Undone,
};
use tokio::sync::{mpsc, oneshot};

/// What the store tells the app's driver, each answer tied to what it concerns.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreEvent {
    Confirmed(IntentKey, Confirmed),
    Refused(IntentKey, Refusal),
    Rejected(IntentKey),
    Failed(IntentKey, StoreError),
    Inventory(Vec<StockRow>),
    Pending(Vec<PendingIntent>),
    PendingPage(PendingPage),
    /// Intents just recorded that the database had decided before (replayed
    /// chat after a restart or reconnect).
    AlreadyDecided(Vec<IntentKey>),
    /// What opening the store did with config stock (the database's stock is
    /// kept where the two disagree).
    Seeded(SeedReport),
    /// Loading inventory or pending intents failed (no intent concerned).
    LoadFailed(StoreError),
    /// Intents rejected together (a bulk decision), or why none was.
    RejectedMany {
        keys: Vec<IntentKey>,
        result: Result<(), StoreError>,
    },
    /// A decision taken back, or why it was not.
    Undone {
        key: IntentKey,
        result: Result<Undone, Refusal>,
    },
    /// A confirmed order put right by a helper, or why it was not.
    Amended {
        order_id: i64,
        result: Result<Confirmed, Refusal>,
    },
    /// Where the last run left off (product on air, latest orders).
    Resumed(Resume),
    /// A phrase learned as a product's name, or why not.
    Learned(Result<LearnedAlias, AliasRefusal>),
    /// One buyer's orders, oldest first.
    Cart {
        buyer: String,
        result: Result<Vec<OrderRow>, StoreError>,
    },
    /// A helper's stock change, or why it was not made.
    StockChanged(Result<StockChanged, StockRefusal>),
    /// A flash sale started or ended, or why not.
    Sale(Result<Sale, SaleRefusal>),
    /// What changed in the database since the last sync (other helpers).
    Synced(Result<SyncReport, StoreError>),
    /// Everything queued before the flush is committed, or why not.
    Flushed(Result<(), StoreError>),
    /// The orders view's figures, or why they could not be read.
    OrdersSummary(Result<OrdersSummary, StoreError>),
}

/// The store's side of the driver's event channel.
pub type StoreEvents = mpsc::Sender<StoreEvent>;

/// One answer to one request, however the caller wants it delivered.
pub struct Answer<T>(Box<dyn FnOnce(T) + Send>);

impl<T: Send + 'static> Answer<T> {
    /// An answer on a one-shot channel; a caller that stopped listening is no error.
    pub fn oneshot() -> (Answer<T>, oneshot::Receiver<T>) {
        let (tx, rx) = oneshot::channel();
        (
            Answer(Box::new(move |value| {
                let _ = tx.send(value);
            })),
            rx,
        )
    }

    /// An answer turned into a `StoreEvent` (or nothing, when `wrap` says
    /// there is nothing to tell) on the driver's channel.
    pub fn event(
        events: &StoreEvents,
        wrap: impl FnOnce(T) -> Option<StoreEvent> + Send + 'static,
    ) -> Answer<T> {
        let events = events.clone();
        Answer(Box::new(move |value| {
            if let Some(event) = wrap(value) {
                deliver(&events, event);
            }
        }))
    }

    /// An answer handed to `f` on the store thread, at the moment it is
    /// sent (tests look at the database then).
    #[cfg(test)]
    pub fn call(f: impl FnOnce(T) + Send + 'static) -> Answer<T> {
        Answer(Box::new(f))
    }

    pub fn send(self, value: T) {
        (self.0)(value)
    }
}

/// No answer is dropped while the driver listens: losing a confirmation's
/// answer would leave its row "confirming" for ever. The store thread waits
/// for room on a full channel (the driver reads it without ever waiting on
/// the store, so the wait is short). A request refused before it reached the
/// thread is answered on the caller's side, which may be async code that
/// must not block: there a full channel hands the answer to a task.
fn deliver(events: &StoreEvents, event: StoreEvent) {
    use tokio::sync::mpsc::error::TrySendError;
    let closed = match tokio::runtime::Handle::try_current() {
        Ok(runtime) => match events.try_send(event) {
            Ok(()) => false,
            Err(TrySendError::Full(event)) => {
                let events = events.clone();
                runtime.spawn(async move { events.send(event).await });
                false
            }
            Err(TrySendError::Closed(_)) => true,
        },
        Err(_) => events.blocking_send(event).is_err(),
    };
    if closed {
        // The run has ended; nobody needs the answer.
        tracing::debug!("a store event came after the driver stopped");
    }
}
