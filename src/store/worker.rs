//! The store thread: the only owner of the `rusqlite::Connection`. It takes
//! requests off the channel in arrival order, writes queued intents in one
//! batch transaction, and commits every helper decision in an IMMEDIATE
//! transaction before replying. Confirms that arrive back to back (a bulk
//! confirm, a program sending confirms without waiting for each answer)
//! share one transaction, each in its own savepoint, and one commit: one
//! fsync for the lot instead of one each. (The app's auto-confirm policy
//! sends one at a time, so it does not reach the store as a burst.)

use super::answer::Answer;
use super::book;
use super::reader::{
    select_inventory, select_orders, select_orders_matching, select_orders_summary,
};
use super::schema::{map_err, select_learned_aliases, write_tx, Cached};
use super::{
    buyer_key, AliasRefusal, AmendTo, ConfirmRequest, Confirmed, IntentKey, LearnedAlias,
    NewIntent, OrderAction, OrderAmend, OrderRow, PendingIntent, Refusal, Sale, SaleRefusal,
    SaleStart, StockChange, StockChanged, StockRefusal, StockRow, StockTo, StoreError,
    StoreSettings, SyncCursor, SyncReport, Undone,
};
use crate::clock::now_ms;
use crate::intent::IntentKind;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::json;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

type ReplyTo<T> = Answer<Result<T, StoreError>>;
type ConfirmReply = Answer<Result<Confirmed, Refusal>>;

pub enum Request {
    /// Intents to write; with a reply, answered after the write with the
    /// keys the database had already decided.
    Record(Vec<NewIntent>, Option<ReplyTo<Vec<IntentKey>>>),
    Confirm(ConfirmRequest, Answer<Result<Confirmed, Refusal>>),
    Reject(IntentKey, String, ReplyTo<()>),
    Pending(ReplyTo<Vec<PendingIntent>>),
    PendingPage(usize, ReplyTo<super::PendingPage>),
    Inventory(ReplyTo<Vec<StockRow>>),
    Orders(ReplyTo<Vec<OrderRow>>),
    Flush(ReplyTo<()>),
    Settings(ReplyTo<StoreSettings>),
    Learn(LearnedAlias, Answer<Result<LearnedAlias, AliasRefusal>>),
    LearnedAliases(ReplyTo<Vec<LearnedAlias>>),
    Forget(String, String, ReplyTo<bool>),
    Stock(StockChange, Answer<Result<StockChanged, StockRefusal>>),
    Amend(OrderAmend, Answer<Result<Confirmed, Refusal>>),
    Undo(IntentKey, String, Answer<Result<Undone, Refusal>>),
    RejectMany(Vec<IntentKey>, String, ReplyTo<()>),
    RejectWhere(super::RejectFilter, String, ReplyTo<Vec<IntentKey>>),
    StartSale(SaleStart, Answer<Result<Sale, SaleRefusal>>),
    EndSale(String, String, Answer<Result<Sale, SaleRefusal>>),
    Sync(Option<SyncCursor>, ReplyTo<SyncReport>),
    Cart(String, ReplyTo<Vec<OrderRow>>),
    SetOnAir(String, String, ReplyTo<()>),
    SetQueue(Vec<String>, String, ReplyTo<()>),
    Resume(ReplyTo<super::Resume>),
    OrdersSummary {
        since_ms: i64,
        minutes: u32,
        top: usize,
        reply: ReplyTo<super::OrdersSummary>,
    },
    Coop(CoopRequest),
}

/// The co-op's requests of this database (`store::coop`).
pub enum CoopRequest {
    Desk(ReplyTo<String>),
    Outbox(i64, usize, ReplyTo<super::OutboxBatch>),
    Backlog(i64, ReplyTo<i64>),
    Ledger(ReplyTo<super::Ledger>),
    Join(Vec<String>, String, ReplyTo<Vec<(String, i64)>>),
    Grant(String, i64, String, ReplyTo<i64>),
    GiveBack(String, i64, String, ReplyTo<(i64, i64)>),
    DecisionsSeen(ReplyTo<i64>),
    DecidedElsewhere(
        Vec<super::RemoteDecision>,
        bool,
        ReplyTo<super::AppliedDecisions>,
    ),
}

impl CoopRequest {
    fn fail(self, err: StoreError) {
        match self {
            CoopRequest::Desk(reply) => reply.send(Err(err)),
            CoopRequest::Outbox(_, _, reply) => reply.send(Err(err)),
            CoopRequest::Backlog(_, reply) => reply.send(Err(err)),
            CoopRequest::Ledger(reply) => reply.send(Err(err)),
            CoopRequest::Join(_, _, reply) => reply.send(Err(err)),
            CoopRequest::Grant(_, _, _, reply) => reply.send(Err(err)),
            CoopRequest::GiveBack(_, _, _, reply) => reply.send(Err(err)),
            CoopRequest::DecisionsSeen(reply) => reply.send(Err(err)),
            CoopRequest::DecidedElsewhere(_, _, reply) => reply.send(Err(err)),
        }
    }

    fn run(self, conn: &mut Connection) {
        use super::coop;
        match self {
            CoopRequest::Desk(reply) => reply.send(coop::desk(conn)),
            CoopRequest::Outbox(after, limit, reply) => {
                reply.send(coop::outbox(conn, after, limit))
            }
            CoopRequest::Backlog(after, reply) => reply.send(coop::backlog(conn, after)),
            CoopRequest::Ledger(reply) => reply.send(coop::ledger(conn)),
            CoopRequest::Join(skus, helper, reply) => {
                reply.send(coop::join(conn, &skus, &helper, now_ms()))
            }
            CoopRequest::Grant(sku, granted, helper, reply) => {
                reply.send(coop::grant(conn, &sku, granted, &helper, now_ms()))
            }
            CoopRequest::GiveBack(sku, keep, helper, reply) => {
                reply.send(coop::give_back(conn, &sku, keep, &helper, now_ms()))
            }
            CoopRequest::DecisionsSeen(reply) => reply.send(coop::decisions_seen(conn)),
            CoopRequest::DecidedElsewhere(rows, followed, reply) => {
                reply.send(coop::decided_elsewhere(conn, &rows, followed, now_ms()))
            }
        }
    }
}

impl Request {
    /// Answers the request with `err` without doing it.
    pub fn fail(self, err: StoreError) {
        // A dropped receiver means the caller stopped caring; nothing to do.
        match self {
            Request::Record(_, reply) => {
                if let Some(reply) = reply {
                    reply.send(Err(err));
                }
            }
            Request::Confirm(_, reply) => reply.send(Err(Refusal::Storage(err))),
            Request::Reject(_, _, reply) | Request::Flush(reply) => reply.send(Err(err)),
            Request::Pending(reply) => reply.send(Err(err)),
            Request::PendingPage(_, reply) => reply.send(Err(err)),
            Request::Inventory(reply) => reply.send(Err(err)),
            Request::Orders(reply) => reply.send(Err(err)),
            Request::Settings(reply) => reply.send(Err(err)),
            Request::Learn(_, reply) => reply.send(Err(AliasRefusal::Storage(err))),
            Request::LearnedAliases(reply) => reply.send(Err(err)),
            Request::Forget(_, _, reply) => reply.send(Err(err)),
            Request::Stock(_, reply) => reply.send(Err(StockRefusal::Storage(err))),
            Request::Amend(_, reply) => reply.send(Err(Refusal::Storage(err))),
            Request::Undo(_, _, reply) => reply.send(Err(Refusal::Storage(err))),
            Request::RejectMany(_, _, reply) => reply.send(Err(err)),
            Request::RejectWhere(_, _, reply) => reply.send(Err(err)),
            Request::StartSale(_, reply) | Request::EndSale(_, _, reply) => {
                reply.send(Err(SaleRefusal::Storage(err)))
            }
            Request::Sync(_, reply) => reply.send(Err(err)),
            Request::Cart(_, reply) => reply.send(Err(err)),
            Request::SetOnAir(_, _, reply) => reply.send(Err(err)),
            Request::SetQueue(_, _, reply) => reply.send(Err(err)),
            Request::Resume(reply) => reply.send(Err(err)),
            Request::OrdersSummary { reply, .. } => reply.send(Err(err)),
            Request::Coop(request) => request.fail(err),
        }
    }
}

/// At most this many requests are taken off the channel per round, so a
/// flood of chat cannot hold a confirm back for long.
const MAX_DRAIN: usize = 2048;
/// Intents that could not be written (database locked) are retried this often.
const RETRY_INTERVAL: Duration = Duration::from_millis(500);
/// Unwritten intents kept in memory at most; beyond this the oldest are
/// dropped (they are detections, not orders; the chat log still has them).
const MAX_UNWRITTEN: usize = 100_000;

pub fn run(conn: Connection, rx: Receiver<Request>) {
    let mut worker = Worker {
        conn,
        unwritten: Vec::new(),
        awaiting_write: Vec::new(),
        write_failed_this_round: None,
    };
    let mut batch = Vec::new();
    loop {
        // Block for the first request; while intents wait for a locked
        // database, wake up now and then to retry them.
        let first = if worker.unwritten.is_empty() {
            rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            rx.recv_timeout(RETRY_INTERVAL)
        };
        match first {
            Ok(request) => batch.push(request),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        while batch.len() < MAX_DRAIN {
            match rx.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        worker.write_failed_this_round = None;
        // Back-to-back confirms are gathered and committed together; any
        // other request ends the group first, so answers keep their order.
        let mut confirms = Vec::new();
        for request in batch.drain(..) {
            match request {
                Request::Confirm(req, reply) => confirms.push((req, reply)),
                other => {
                    worker.confirm_together(std::mem::take(&mut confirms));
                    worker.handle(other);
                }
            }
        }
        worker.confirm_together(confirms);
        // A successful write answers its records itself.
        if let Err(err) = worker.write_intents_once_per_round() {
            tracing::warn!(
                "{} intents not yet written, will retry: {err}",
                worker.unwritten.len()
            );
        }
    }
    match worker.write_intents() {
        Ok(()) => worker.answer_recorded(),
        Err(err) => tracing::error!(
            "store closing: {} detected intents could not be written: {err}",
            worker.unwritten.len()
        ),
    }
}

struct Worker {
    conn: Connection,
    /// Intents received but not yet committed, oldest first.
    unwritten: Vec<NewIntent>,
    /// `Store::record` callers waiting for their intents to be written.
    awaiting_write: Vec<(Vec<IntentKey>, ReplyTo<Vec<IntentKey>>)>,
    /// Set when writing intents failed in the current round: while the
    /// database is locked, each further attempt would wait out the whole busy
    /// timeout again, in front of every request of the round.
    write_failed_this_round: Option<StoreError>,
}

impl Worker {
    fn handle(&mut self, request: Request) {
        if let Request::Record(intents, reply) = request {
            if let Some(reply) = reply {
                let keys = intents.iter().map(|i| i.key.clone()).collect();
                self.awaiting_write.push((keys, reply));
            }
            self.unwritten.extend(intents);
            if self.unwritten.len() > MAX_UNWRITTEN {
                let excess = self.unwritten.len() - MAX_UNWRITTEN;
                tracing::error!("dropping {excess} unwritten intents: the database refuses writes");
                self.unwritten.drain(..excess);
            }
            return;
        }
        // Everything recorded before this request is written before it, so a
        // decision never overtakes the intent it is about.
        let written = self.write_intents_once_per_round();
        match request {
            Request::Record(..) => {}
            Request::Confirm(req, reply) => self.confirm_together(vec![(req, reply)]),
            Request::Reject(key, helper, reply) => {
                reply.send(self.reject(&key, &helper));
            }
            Request::Pending(reply) => {
                // An inbox missing the queued intents would look complete but
                // is not; say so instead.
                reply.send(written.and_then(|()| self.pending()));
            }
            Request::PendingPage(limit, reply) => {
                reply.send(written.and_then(|()| book::pending_page(&self.conn, limit)));
            }
            Request::Inventory(reply) => {
                reply.send(self.inventory());
            }
            Request::Orders(reply) => {
                reply.send(self.orders());
            }
            Request::Flush(reply) => {
                reply.send(written);
            }
            Request::Settings(reply) => {
                reply.send(self.settings());
            }
            Request::Learn(alias, reply) => {
                reply.send(self.learn(alias));
            }
            Request::LearnedAliases(reply) => {
                reply.send(select_learned_aliases(&self.conn));
            }
            Request::Forget(phrase, helper, reply) => {
                reply.send(self.forget(&phrase, &helper));
            }
            Request::Stock(change, reply) => reply.send(self.change_stock(&change)),
            Request::Amend(amend, reply) => reply.send(self.amend_order(&amend)),
            Request::Undo(key, helper, reply) => reply.send(self.undo(&key, &helper)),
            Request::RejectMany(keys, helper, reply) => {
                reply.send(self.reject_many(&keys, &helper));
            }
            Request::RejectWhere(filter, helper, reply) => {
                reply.send(self.reject_where(&filter, &helper));
            }
            Request::StartSale(start, reply) => {
                reply.send(book::start_sale(&mut self.conn, &start, now_ms()))
            }
            Request::EndSale(sku, helper, reply) => {
                reply.send(book::end_sale(&mut self.conn, &sku, &helper, now_ms()))
            }
            Request::Sync(after, reply) => reply.send(book::sync(&self.conn, after)),
            Request::SetOnAir(sku, helper, reply) => {
                reply.send(book::set_on_air(&mut self.conn, &sku, &helper, now_ms()))
            }
            Request::SetQueue(skus, helper, reply) => {
                reply.send(book::set_queue(&mut self.conn, &skus, &helper, now_ms()))
            }
            Request::Resume(reply) => reply.send(book::resume(&self.conn)),
            Request::OrdersSummary {
                since_ms,
                minutes,
                top,
                reply,
            } => reply.send(select_orders_summary(&self.conn, since_ms, minutes, top)),
            Request::Coop(request) => request.run(&mut self.conn),
            Request::Cart(buyer, reply) => reply.send(select_orders_matching(
                &self.conn,
                &super::OrderQuery {
                    buyer: Some(buyer),
                    ..Default::default()
                },
            )),
        }
    }

    /// Answers `Store::record` callers once everything is written: which of
    /// their intents the database had decided before.
    fn answer_recorded(&mut self) {
        if !self.unwritten.is_empty() {
            return;
        }
        for (keys, reply) in std::mem::take(&mut self.awaiting_write) {
            reply.send(self.decided_among(&keys));
        }
    }

    fn decided_among(&self, keys: &[IntentKey]) -> Result<Vec<IntentKey>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT status FROM intents WHERE msg_id = ?1 AND idx = ?2")
            .map_err(map_err)?;
        let mut decided = Vec::new();
        for key in keys {
            let status: Option<String> = stmt
                .query_row(params![key.msg_id, key.index], |row| row.get(0))
                .optional()
                .map_err(map_err)?;
            // A waitlisted intent is still the helpers' to decide.
            if status.is_some_and(|s| s != "pending" && s != "waitlisted") {
                decided.push(key.clone());
            }
        }
        Ok(decided)
    }

    fn write_intents_once_per_round(&mut self) -> Result<(), StoreError> {
        if let Some(err) = &self.write_failed_this_round {
            if !self.unwritten.is_empty() {
                return Err(err.clone());
            }
        }
        let written = self.write_intents();
        match &written {
            // Answered now, before the decision that made this write: the
            // answer is what was decided *before* these intents came in, not
            // what this round decides about them.
            Ok(()) => self.answer_recorded(),
            Err(err) => self.write_failed_this_round = Some(err.clone()),
        }
        written
    }

    /// Writes every unwritten intent in one transaction. On failure they stay
    /// queued for the next attempt.
    fn write_intents(&mut self) -> Result<(), StoreError> {
        if self.unwritten.is_empty() {
            return Ok(());
        }
        match insert_intents(&mut self.conn, &self.unwritten) {
            Ok(()) => {
                self.unwritten.clear();
                Ok(())
            }
            Err(err @ StoreError::Sqlite(_)) => {
                // Not a passing condition: find the rows SQLite refuses, so
                // one bad row cannot hold every later intent back forever.
                let mut kept = Vec::new();
                for intent in std::mem::take(&mut self.unwritten) {
                    match insert_intents(&mut self.conn, std::slice::from_ref(&intent)) {
                        Ok(()) => {}
                        Err(StoreError::Sqlite(reason)) => tracing::error!(
                            "dropping intent {}#{}: {reason}",
                            intent.key.msg_id,
                            intent.key.index
                        ),
                        Err(_) => kept.push(intent),
                    }
                }
                self.unwritten = kept;
                Err(err)
            }
            // Locked, full, unreadable: the database, not a row, is the
            // problem; everything stays queued for the next attempt.
            Err(err) => Err(err),
        }
    }

    /// Confirms `group` (requests in the order sent) and answers each, in
    /// that order, only once the commit that holds it is done.
    fn confirm_together(&mut self, group: Vec<(ConfirmRequest, ConfirmReply)>) {
        if group.is_empty() {
            return;
        }
        // Everything recorded before these confirms is written before them,
        // as for any decision. A failed write is no reason to stop: a
        // confirm writes the intent row it needs itself (see `decide`).
        let _written = self.write_intents_once_per_round();
        let results = if let [(req, _)] = group.as_slice() {
            vec![self.confirm(req)]
        } else {
            match self.confirm_all(group.iter().map(|(req, _)| req)) {
                Ok(results) => results,
                // Nothing of the group was committed.
                Err(err) => group
                    .iter()
                    .map(|_| Err(Refusal::Storage(err.clone())))
                    .collect(),
            }
        };
        for ((_, reply), result) in group.into_iter().zip(results) {
            reply.send(result);
        }
    }

    /// One confirm in a transaction of its own.
    fn confirm(&mut self, req: &ConfirmRequest) -> Result<Confirmed, Refusal> {
        let tx = write_tx(&mut self.conn)?;
        // An Err here is a storage failure: the transaction rolls back on
        // drop and the intent stays pending.
        let decision = Self::confirm_in(&tx, req, now_ms())?;
        tx.commit().map_err(map_err)?;
        decision
    }

    /// Several confirms in one transaction and one commit, each inside its
    /// own savepoint so that each ends as it would alone: a storage error
    /// rolls back that confirm's writes only (it is answered with the error,
    /// its intent stays pending), and a refusal is recorded as usual. An Err
    /// means nothing of the group was committed.
    fn confirm_all<'r>(
        &mut self,
        group: impl Iterator<Item = &'r ConfirmRequest>,
    ) -> Result<Vec<Result<Confirmed, Refusal>>, StoreError> {
        let tx = write_tx(&mut self.conn)?;
        let mut results = Vec::new();
        for req in group {
            tx.execute_batch("SAVEPOINT confirm").map_err(map_err)?;
            let result = match Self::confirm_in(&tx, req, now_ms()) {
                Ok(decision) => decision,
                // Some errors (I/O, a full disk) make SQLite roll back the
                // whole transaction: the group's earlier work is gone, and a
                // later statement would run outside any transaction,
                // committed on its own.
                Err(err) if tx.is_autocommit() => return Err(err),
                Err(err) => {
                    tx.execute_batch("ROLLBACK TO confirm").map_err(map_err)?;
                    Err(Refusal::Storage(err))
                }
            };
            tx.execute_batch("RELEASE confirm").map_err(map_err)?;
            results.push(result);
        }
        tx.commit().map_err(map_err)?;
        Ok(results)
    }

    /// Decides a confirm and records the decision inside `tx` (the intent's
    /// new status, the helper's action in the events table); the caller
    /// commits. The outer error is a storage failure, the inner one a
    /// refusal (recorded too).
    fn confirm_in(
        tx: &Transaction<'_>,
        req: &ConfirmRequest,
        now: i64,
    ) -> Result<Result<Confirmed, Refusal>, StoreError> {
        let decision = decide(tx, req, now)?;
        match &decision {
            Ok(done) => {
                tx.exec_cached(
                    "UPDATE intents
                        SET status = 'confirmed', decided_at = ?3, helper = ?4, order_id = ?5,
                            reason = NULL, sku = ?6, qty = COALESCE(?7, qty)
                      WHERE msg_id = ?1 AND idx = ?2",
                    params![
                        req.key.msg_id,
                        req.key.index,
                        now,
                        req.helper,
                        done.order_id,
                        done.sku,
                        req.qty
                    ],
                )
                .map_err(map_err)?;
                let action = done.action.as_str();
                let detail = format!("{} x{}", done.sku, done.qty);
                if let Some(before_qty) = done.before_qty {
                    // What undoing this change puts back.
                    tx.exec_cached(
                        "UPDATE intents SET before_qty = ?3 WHERE msg_id = ?1 AND idx = ?2",
                        params![req.key.msg_id, req.key.index, before_qty],
                    )
                    .map_err(map_err)?;
                }
                let before = match done.action {
                    OrderAction::Created => json!({"intent": "pending"}),
                    OrderAction::Cancelled => json!({"order": "confirmed", "qty": done.qty}),
                    OrderAction::Changed | OrderAction::Reopened => {
                        json!({"order": "confirmed", "qty": done.before_qty})
                    }
                };
                let after = match done.action {
                    OrderAction::Cancelled => {
                        json!({"order": "cancelled", "stock": done.stock_left})
                    }
                    _ => json!({"order": "confirmed", "sku": done.sku, "qty": done.qty,
                                "stock": done.stock_left}),
                };
                log_event(
                    tx,
                    Audit::new(now, &req.helper, action)
                        .intent(&req.key)
                        .order(done.order_id)
                        .detail(detail)
                        .change(before, after),
                )?;
            }
            Err(refusal) => {
                // A waitlisted order waits its turn; anything else refused
                // stays for the helper to see. A decided intent keeps its
                // decision: a replayed confirm that is refused as a duplicate
                // must not turn "confirmed" into "refused".
                let (status, action) = match refusal {
                    Refusal::Waitlisted { .. } => ("waitlisted", "waitlisted"),
                    _ => ("refused", "refused"),
                };
                tx.exec_cached(
                    "UPDATE intents
                        SET status = ?6, decided_at = ?3, helper = ?4, reason = ?5,
                            sku = COALESCE(?7, sku), qty = COALESCE(?8, qty)
                      WHERE msg_id = ?1 AND idx = ?2
                        AND status IN ('pending', 'refused', 'waitlisted')",
                    params![
                        req.key.msg_id,
                        req.key.index,
                        now,
                        req.helper,
                        refusal.code(),
                        status,
                        req.sku,
                        req.qty
                    ],
                )
                .map_err(map_err)?;
                let after = match refusal {
                    Refusal::Waitlisted { place, left } => {
                        json!({"intent": status, "place": place, "left": left})
                    }
                    _ => json!({"intent": status, "reason": refusal.code()}),
                };
                log_event(
                    tx,
                    Audit::new(now, &req.helper, action)
                        .intent(&req.key)
                        .detail(refusal.to_string())
                        .change(json!({"intent": "pending"}), after),
                )?;
            }
        }
        Ok(decision)
    }

    fn reject(&mut self, key: &IntentKey, helper: &str) -> Result<(), StoreError> {
        self.reject_many(std::slice::from_ref(key), helper)
    }

    /// Rejects the undecided among `keys` in one transaction (one commit
    /// for a bulk decision over thousands, not one each).
    fn reject_many(&mut self, keys: &[IntentKey], helper: &str) -> Result<(), StoreError> {
        let now = now_ms();
        let tx = write_tx(&mut self.conn)?;
        reject_keys(&tx, keys, helper, now)?;
        tx.commit().map_err(map_err)
    }

    /// Rejects every undecided intent the filter picks, in one transaction,
    /// and names them. Decisions queued before it are already made, so an
    /// intent a helper confirmed just before is not among them.
    fn reject_where(
        &mut self,
        filter: &super::RejectFilter,
        helper: &str,
    ) -> Result<Vec<IntentKey>, StoreError> {
        let now = now_ms();
        let tx = write_tx(&mut self.conn)?;
        let keys = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT msg_id, idx FROM intents
                      WHERE status IN ('pending', 'waitlisted')
                        AND (?1 IS NULL OR sku = ?1)
                        AND (?2 IS NULL OR received_at < ?2)
                      ORDER BY received_at, msg_id, idx",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map(params![filter.sku, filter.received_before], |row| {
                    Ok(IntentKey {
                        msg_id: row.get(0)?,
                        index: row.get(1)?,
                    })
                })
                .map_err(map_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(map_err)?
        };
        reject_keys(&tx, &keys, helper, now)?;
        tx.commit().map_err(map_err)?;
        Ok(keys)
    }

    /// Takes back a decision on an intent, in one transaction, and makes
    /// the intent pending again:
    /// - a rejection;
    /// - a confirmed order still open: the order row goes (it was a slip,
    ///   never a sale; the audit trail keeps what it was), its units go back;
    /// - a confirmed cancel: the order is open again, if stock still covers it;
    /// - a confirmed change: the order's quantity is what it was, if the
    ///   order still has the quantity the change gave it and stock covers it.
    fn undo(&mut self, key: &IntentKey, helper: &str) -> Result<Undone, Refusal> {
        let now = now_ms();
        let tx = write_tx(&mut self.conn)?;
        // status, kind, order_id, qty, before_qty
        type Decided = (String, String, Option<i64>, Option<u32>, Option<u32>);
        let decided: Option<Decided> = tx
            .query_row(
                "SELECT status, kind, order_id, qty, before_qty FROM intents
                  WHERE msg_id = ?1 AND idx = ?2",
                params![key.msg_id, key.index],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )
            .optional()
            .map_err(map_err)?;
        let Some((status, kind, order_id, qty, before_qty)) = decided else {
            return Err(Refusal::CannotUndo);
        };
        let order = match (status.as_str(), kind.as_str(), order_id) {
            ("rejected", _, _) => None,
            ("confirmed", "order", Some(order_id)) => {
                // Only the order this message created, and only while open.
                let open =
                    open_order_of(&tx, order_id, Some(&key.msg_id))?.ok_or(Refusal::CannotUndo)?;
                tx.exec_cached("DELETE FROM orders WHERE order_id = ?1", [open.order_id])
                    .map_err(map_err)?;
                book::sale_units(&tx, open.sale_id, -i64::from(open.qty))?;
                let stock_left =
                    adjust_stock(&tx, &open.sku, i64::from(open.qty), open.unit_price_fen)?;
                Some(Confirmed {
                    action: OrderAction::Cancelled,
                    order_id: open.order_id,
                    sold: sold(&tx, &open.sku)?,
                    revenue_fen: revenue(&tx, &open.sku)?,
                    unit_price_fen: open.unit_price_fen,
                    sku: open.sku,
                    qty: open.qty,
                    before_qty: None,
                    user: open.user,
                    stock_left,
                })
            }
            ("confirmed", "cancel", Some(order_id)) => Some(reopen_order(&tx, order_id)??),
            ("confirmed", "change", Some(order_id)) => {
                let open = open_order_of(&tx, order_id, None)?.ok_or(Refusal::CannotUndo)?;
                match before_qty {
                    // Changed again since: this change is no longer what the order shows.
                    Some(before) if qty == Some(open.qty) => {
                        let buyer = buyer_of(&tx, order_id)?;
                        Some(change_order(&tx, &open, before, &buyer)??)
                    }
                    _ => return Err(Refusal::CannotUndo),
                }
            }
            _ => return Err(Refusal::CannotUndo),
        };
        tx.exec_cached(
            "UPDATE intents SET status = 'pending', decided_at = NULL, helper = NULL,
                    reason = NULL, order_id = NULL, before_qty = NULL
              WHERE msg_id = ?1 AND idx = ?2",
            params![key.msg_id, key.index],
        )
        .map_err(map_err)?;
        let (detail, after) = match &order {
            Some(o) => (
                format!(
                    "order {} {} x{} {}",
                    o.order_id,
                    o.sku,
                    o.qty,
                    o.action.as_str()
                ),
                json!({"intent": "pending", "order": o.action.as_str(), "qty": o.qty,
                       "stock": o.stock_left}),
            ),
            None => ("rejection".to_string(), json!({"intent": "pending"})),
        };
        let mut audit = Audit::new(now, helper, "undone")
            .intent(key)
            .detail(detail)
            .change(json!({"intent": status, "kind": kind}), after);
        if let Some(o) = &order {
            audit = audit.order(o.order_id);
        }
        log_event(&tx, audit)?;
        tx.commit().map_err(map_err)?;
        Ok(Undone {
            key: key.clone(),
            order,
        })
    }

    /// Cancels a confirmed order, sets its quantity or opens a cancelled
    /// one again, stock moved in the same transaction, with the helper's
    /// action in the audit trail.
    fn amend_order(&mut self, amend: &OrderAmend) -> Result<Confirmed, Refusal> {
        let now = now_ms();
        let tx = write_tx(&mut self.conn)?;
        if amend.to == AmendTo::Reopen {
            let done = reopen_order(&tx, amend.order_id)??;
            log_event(
                &tx,
                Audit::new(now, &amend.helper, "order_reopened")
                    .order(done.order_id)
                    .detail(format!("{} x{}", done.sku, done.qty))
                    .change(
                        json!({"order": "cancelled"}),
                        json!({"order": "confirmed", "qty": done.qty, "stock": done.stock_left}),
                    ),
            )?;
            tx.commit().map_err(map_err)?;
            return Ok(done);
        }
        let Some(open) = open_order_of(&tx, amend.order_id, None)? else {
            return Err(Refusal::UnknownOrder(amend.order_id));
        };
        let done = match amend.to {
            AmendTo::Cancel | AmendTo::Qty(0) | AmendTo::Reopen => cancel_order(&tx, &open, now)?,
            AmendTo::Qty(qty) => {
                let buyer = buyer_of(&tx, open.order_id)?;
                change_order(&tx, &open, qty, &buyer)??
            }
        };
        let (action, detail, after) = match done.action {
            OrderAction::Cancelled => (
                "order_cancelled",
                format!("{} x{}", open.sku, open.qty),
                json!({"order": "cancelled", "stock": done.stock_left}),
            ),
            _ => (
                "order_changed",
                format!("{} x{} -> x{}", open.sku, open.qty, done.qty),
                json!({"order": "confirmed", "qty": done.qty, "stock": done.stock_left}),
            ),
        };
        log_event(
            &tx,
            Audit::new(now, &amend.helper, action)
                .order(open.order_id)
                .detail(detail)
                .change(json!({"order": "confirmed", "qty": open.qty}), after),
        )?;
        tx.commit().map_err(map_err)?;
        Ok(done)
    }

    /// Sets or adds to a product's stock in one transaction, with the
    /// helper's action in the audit trail.
    fn change_stock(&mut self, change: &StockChange) -> Result<StockChanged, StockRefusal> {
        let now = now_ms();
        let tx = write_tx(&mut self.conn)?;
        let before: i64 = tx
            .query_row(
                "SELECT stock FROM products WHERE sku = ?1",
                [&change.sku],
                |row| row.get(0),
            )
            .optional()
            .map_err(map_err)?
            .ok_or_else(|| StockRefusal::UnknownProduct(change.sku.clone()))?;
        let (action, after) = match change.to {
            StockTo::Set(n) => ("stock_set", Some(n)),
            StockTo::Add(n) => ("stock_add", before.checked_add(n)),
        };
        let after = after
            .filter(|&n| n >= 0)
            .ok_or(StockRefusal::Negative { before })?;
        tx.exec_cached(
            "UPDATE products SET stock = ?2 WHERE sku = ?1",
            params![change.sku, after],
        )
        .map_err(map_err)?;
        // A product of the co-op: the change is this desk's contribution
        // to the shared stock (the link tells the co-op).
        tx.exec_cached(
            "UPDATE coop_stock SET added = added + ?2 WHERE sku = ?1",
            params![change.sku, after - before],
        )
        .map_err(map_err)?;
        log_event(
            &tx,
            Audit::new(now, &change.helper, action)
                .detail(format!("{} {before} -> {after}", change.sku))
                .change(
                    json!({"sku": change.sku, "stock": before}),
                    json!({"sku": change.sku, "stock": after}),
                ),
        )?;
        tx.commit().map_err(map_err)?;
        Ok(StockChanged {
            sku: change.sku.clone(),
            before,
            after,
        })
    }

    fn learn(&mut self, mut alias: LearnedAlias) -> Result<LearnedAlias, AliasRefusal> {
        alias.learned_at_ms = now_ms();
        let tx = write_tx(&mut self.conn)?;
        // Products that left config keep their rows for old orders, but a
        // phrase must not start naming them again.
        let known: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM products WHERE sku = ?1 AND active = 1)",
                [&alias.sku],
                |row| row.get(0),
            )
            .map_err(map_err)?;
        if !known {
            return Err(AliasRefusal::UnknownProduct(alias.sku));
        }
        tx.exec_cached(
            "INSERT INTO learned_aliases (phrase, sku, learned_at, helper, msg_id)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (phrase) DO UPDATE
                SET sku = excluded.sku, learned_at = excluded.learned_at,
                    helper = excluded.helper, msg_id = excluded.msg_id",
            params![
                alias.phrase,
                alias.sku,
                alias.learned_at_ms,
                alias.helper,
                alias.msg_id
            ],
        )
        .map_err(map_err)?;
        let key = alias
            .msg_id
            .clone()
            .map(|msg_id| IntentKey { msg_id, index: 0 });
        let mut audit = Audit::new(alias.learned_at_ms, &alias.helper, "alias_learned")
            .detail(format!("{} -> {}", alias.phrase, alias.sku))
            .change(json!({}), json!({"phrase": alias.phrase, "sku": alias.sku}));
        if let Some(key) = &key {
            audit = audit.intent(key);
        }
        log_event(&tx, audit)?;
        tx.commit().map_err(map_err)?;
        Ok(alias)
    }

    fn forget(&mut self, phrase: &str, helper: &str) -> Result<bool, StoreError> {
        let now = now_ms();
        let tx = write_tx(&mut self.conn)?;
        let removed = tx
            .execute("DELETE FROM learned_aliases WHERE phrase = ?1", [phrase])
            .map_err(map_err)?;
        if removed > 0 {
            log_event(
                &tx,
                Audit::new(now, helper, "alias_forgotten")
                    .detail(phrase.to_string())
                    .change(json!({"phrase": phrase}), json!({})),
            )?;
        }
        tx.commit().map_err(map_err)?;
        Ok(removed > 0)
    }

    fn pending(&self) -> Result<Vec<PendingIntent>, StoreError> {
        let sql = format!(
            "SELECT {} FROM intents WHERE status IN ('pending', 'waitlisted')
              ORDER BY received_at, msg_id, idx",
            book::INTENT_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(map_err)?;
        let rows = stmt.query_map([], book::intent_row).map_err(map_err)?;
        let mut out = Vec::new();
        for row in rows {
            if let Some((intent, status)) = row.map_err(map_err)? {
                out.push(PendingIntent {
                    intent,
                    waitlisted: status == super::IntentStatus::Waitlisted,
                });
            }
        }
        Ok(out)
    }

    fn inventory(&self) -> Result<Vec<StockRow>, StoreError> {
        select_inventory(&self.conn)
    }

    fn orders(&self) -> Result<Vec<OrderRow>, StoreError> {
        select_orders(&self.conn)
    }

    fn settings(&self) -> Result<StoreSettings, StoreError> {
        let int = |name: &str| -> Result<i64, StoreError> {
            self.conn
                .pragma_query_value(None, name, |row| row.get(0))
                .map_err(map_err)
        };
        Ok(StoreSettings {
            journal_mode: self
                .conn
                .pragma_query_value(None, "journal_mode", |row| row.get(0))
                .map_err(map_err)?,
            synchronous: int("synchronous")?,
            foreign_keys: int("foreign_keys")? != 0,
            busy_timeout_ms: int("busy_timeout")?,
            schema_version: int("user_version")?,
        })
    }
}

fn insert_intents(conn: &mut Connection, intents: &[NewIntent]) -> Result<(), StoreError> {
    let tx = write_tx(conn)?;
    {
        // OR IGNORE: replayed chat re-records intents that may be decided
        // already; their decision must survive.
        let mut stmt = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO intents
                     (msg_id, idx, user, user_id, text, kind, sku, qty, confidence, received_at,
                      source, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .map_err(map_err)?;
        for intent in intents {
            stmt.execute(params![
                intent.key.msg_id,
                intent.key.index,
                intent.user,
                intent.user_id,
                intent.text,
                intent.kind.as_str(),
                intent.sku,
                intent.qty,
                f64::from(intent.confidence),
                intent.received_at_ms,
                intent.source,
                intent.note.map(|n| n.as_str()),
            ])
            .map_err(map_err)?;
        }
    }
    tx.commit().map_err(map_err)
}

/// Works out and applies (inside `tx`) what a confirmation does. The outer
/// error is a storage failure; the inner one a refusal to be recorded.
fn decide(
    tx: &Transaction<'_>,
    req: &ConfirmRequest,
    now: i64,
) -> Result<Result<Confirmed, Refusal>, StoreError> {
    // A confirm may arrive for an intent that was never recorded (or whose
    // batch failed); give it a row so its decision is kept and a later
    // replayed record cannot bring it back as pending.
    tx.exec_cached(
        "INSERT OR IGNORE INTO intents (msg_id, idx, user, user_id, kind, sku, qty, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            req.key.msg_id,
            req.key.index,
            req.user,
            req.user_id,
            req.kind.as_str(),
            req.sku,
            req.qty,
            now
        ],
    )
    .map_err(map_err)?;
    // One intent acts once: replaying a confirmed cancel or change must not
    // cancel or change another order, and a rejected intent stays rejected.
    let (status, order_id, received_at, decided_by): (String, Option<i64>, i64, Option<String>) =
        tx.query_row(
            "SELECT status, order_id, received_at, helper FROM intents WHERE msg_id = ?1 AND idx = ?2",
            params![req.key.msg_id, req.key.index],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .map_err(map_err)?;
    match (status.as_str(), order_id) {
        ("confirmed", Some(order_id)) => return Ok(Err(Refusal::Duplicate { order_id })),
        ("rejected", _) => return Ok(Err(Refusal::Rejected)),
        (elsewhere @ ("confirmed_elsewhere" | "rejected_elsewhere"), _) => {
            return Ok(Err(Refusal::DecidedElsewhere {
                helper: decided_by.unwrap_or_default(),
                decision: elsewhere.trim_end_matches("_elsewhere").to_string(),
            }))
        }
        _ => {}
    }
    let buyer = buyer_key(&req.user, req.user_id.as_deref());
    if let Some(sku) = &req.sku {
        if product(tx, sku)?.is_none() {
            return Ok(Err(Refusal::UnknownProduct(sku.clone())));
        }
    }
    match req.kind {
        IntentKind::Order => create_order(tx, req, &buyer, received_at, now),
        IntentKind::Cancel => match latest_open_order(tx, &buyer, req, received_at)? {
            None => Ok(Err(Refusal::NoOpenOrder)),
            Some(open) => cancel_order(tx, &open, now).map(Ok),
        },
        IntentKind::Change => match latest_open_order(tx, &buyer, req, received_at)? {
            None => Ok(Err(Refusal::NoOpenOrder)),
            // "Change it to 0" is a cancel.
            Some(open) if req.qty == Some(0) => cancel_order(tx, &open, now).map(Ok),
            Some(open) => change_order(tx, &open, req.qty.unwrap_or(open.qty), &buyer),
        },
    }
}

struct ProductRow {
    stock: i64,
    price_fen: i64,
    limit_per_buyer: Option<u32>,
}

/// An active product (one still in config).
fn product(tx: &Transaction<'_>, sku: &str) -> Result<Option<ProductRow>, StoreError> {
    tx.row_cached(
        "SELECT stock, price_fen, limit_per_buyer FROM products WHERE sku = ?1 AND active = 1",
        [sku],
        |row| {
            Ok(ProductRow {
                stock: row.get(0)?,
                price_fen: row.get(1)?,
                limit_per_buyer: row.get(2)?,
            })
        },
    )
    .optional()
    .map_err(map_err)
}

/// Creates the order if its product can cover it. First come, first served
/// by message arrival: stock goes to the orders waitlisted before this one
/// first (`book::turn`), so an order that stock (or a running flash sale's
/// count) cannot cover after them joins the waitlist instead.
fn create_order(
    tx: &Transaction<'_>,
    req: &ConfirmRequest,
    buyer: &str,
    received_at: i64,
    now: i64,
) -> Result<Result<Confirmed, Refusal>, StoreError> {
    let Some(sku) = &req.sku else {
        return Ok(Err(Refusal::NoProduct));
    };
    let Some(product) = product(tx, sku)? else {
        return Ok(Err(Refusal::UnknownProduct(sku.clone())));
    };
    // "扣1" with no number means one; a zero is a slip of the keyboard.
    let qty = req.qty.unwrap_or(1).max(1);
    let existing: Option<i64> = tx
        .query_row(
            "SELECT order_id FROM orders WHERE msg_id = ?1 AND sku = ?2",
            params![req.key.msg_id, sku],
            |row| row.get(0),
        )
        .optional()
        .map_err(map_err)?;
    if let Some(order_id) = existing {
        return Ok(Err(Refusal::Duplicate { order_id }));
    }
    if let Some(limit) = product.limit_per_buyer {
        let already = bought(tx, buyer, sku, None)?;
        if already + i64::from(qty) > i64::from(limit) {
            return Ok(Err(Refusal::OverLimit {
                limit,
                already: clamp_u32(already),
            }));
        }
    }
    let sale = book::running_sale(tx, sku, now)?;
    let available = match &sale {
        Some(sale) => product.stock.min(i64::from(sale.left())),
        None => product.stock,
    };
    let turn = book::turn(tx, sku, &req.key, received_at, available)?;
    if turn.room < i64::from(qty) {
        return Ok(Err(Refusal::Waitlisted {
            place: clamp_u32(turn.ahead + 1),
            left: available,
        }));
    }
    let (price_fen, sale_id) = match &sale {
        Some(sale) => (sale.price_fen, Some(sale.sale_id)),
        None => (product.price_fen, None),
    };
    tx.exec_cached(
        "INSERT INTO orders
             (msg_id, user, user_id, buyer, sku, qty, unit_price_fen, status, confirmed_at,
              helper, sale_id, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'confirmed', ?8, ?9, ?10,
                 COALESCE((SELECT source FROM intents WHERE msg_id = ?1 AND idx = ?11), ''))",
        params![
            req.key.msg_id,
            req.user,
            req.user_id,
            buyer,
            sku,
            qty,
            price_fen,
            now,
            req.helper,
            sale_id,
            req.key.index
        ],
    )
    .map_err(map_err)?;
    let order_id = tx.last_insert_rowid();
    book::sale_units(tx, sale_id, i64::from(qty))?;
    let stock_left = adjust_stock(tx, sku, -i64::from(qty), price_fen)?;
    Ok(Ok(Confirmed {
        action: OrderAction::Created,
        order_id,
        sku: sku.clone(),
        qty,
        before_qty: None,
        user: req.user.clone(),
        stock_left,
        sold: sold(tx, sku)?,
        revenue_fen: revenue(tx, sku)?,
        unit_price_fen: price_fen,
    }))
}

struct OpenOrder {
    order_id: i64,
    sku: String,
    qty: u32,
    user: String,
    sale_id: Option<i64>,
    unit_price_fen: i64,
}

impl OpenOrder {
    /// Reads `order_id, sku, qty, user, sale_id, unit_price_fen`, the first
    /// columns of a query.
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OpenOrder> {
        Ok(OpenOrder {
            order_id: row.get(0)?,
            sku: row.get(1)?,
            qty: row.get(2)?,
            user: row.get(3)?,
            sale_id: row.get(4)?,
            unit_price_fen: row.get(5)?,
        })
    }
}

/// The confirmed (open) order with that number; with `msg_id`, only if that
/// message created it.
fn open_order_of(
    tx: &Transaction<'_>,
    order_id: i64,
    msg_id: Option<&str>,
) -> Result<Option<OpenOrder>, StoreError> {
    tx.row_cached(
        "SELECT order_id, sku, qty, user, sale_id, unit_price_fen FROM orders
          WHERE order_id = ?1 AND status = 'confirmed' AND (?2 IS NULL OR msg_id = ?2)",
        params![order_id, msg_id],
        OpenOrder::from_row,
    )
    .optional()
    .map_err(map_err)
}

fn buyer_of(tx: &Transaction<'_>, order_id: i64) -> Result<String, StoreError> {
    tx.row_cached(
        "SELECT buyer FROM orders WHERE order_id = ?1",
        [order_id],
        |row| row.get(0),
    )
    .map_err(map_err)
}

/// Opens a cancelled order again (a cancel undone), taking its units from
/// stock; refused when stock no longer covers them.
fn reopen_order(
    tx: &Transaction<'_>,
    order_id: i64,
) -> Result<Result<Confirmed, Refusal>, StoreError> {
    let cancelled = tx
        .query_row(
            "SELECT order_id, sku, qty, user, sale_id, unit_price_fen FROM orders
              WHERE order_id = ?1 AND status = 'cancelled'",
            [order_id],
            OpenOrder::from_row,
        )
        .optional()
        .map_err(map_err)?;
    let Some(order) = cancelled else {
        return Ok(Err(Refusal::CannotUndo));
    };
    let stock: i64 = tx
        .query_row(
            "SELECT stock FROM products WHERE sku = ?1",
            [&order.sku],
            |row| row.get(0),
        )
        .map_err(map_err)?;
    if stock < i64::from(order.qty) {
        return Ok(Err(Refusal::OutOfStock { left: stock }));
    }
    tx.exec_cached(
        "UPDATE orders SET status = 'confirmed', cancelled_at = NULL WHERE order_id = ?1",
        [order_id],
    )
    .map_err(map_err)?;
    book::sale_units(tx, order.sale_id, i64::from(order.qty))?;
    let stock_left = adjust_stock(tx, &order.sku, -i64::from(order.qty), order.unit_price_fen)?;
    Ok(Ok(Confirmed {
        action: OrderAction::Reopened,
        order_id,
        sold: sold(tx, &order.sku)?,
        revenue_fen: revenue(tx, &order.sku)?,
        unit_price_fen: order.unit_price_fen,
        sku: order.sku,
        qty: order.qty,
        before_qty: None,
        user: order.user,
        stock_left,
    }))
}

/// The buyer's most recent confirmed order (of the request's product when it
/// names one) that the cancel or change can be about: one ordered in a
/// message received before it. A cancel confirmed late, or replayed, must
/// not undo an order the buyer placed after saying it.
fn latest_open_order(
    tx: &Transaction<'_>,
    buyer: &str,
    req: &ConfirmRequest,
    received_at: i64,
) -> Result<Option<OpenOrder>, StoreError> {
    tx.row_cached(
        "SELECT o.order_id, o.sku, o.qty, o.user, o.sale_id, o.unit_price_fen FROM orders o
          WHERE o.buyer = ?1 AND o.status = 'confirmed' AND (?2 IS NULL OR o.sku = ?2)
            AND o.msg_id <> ?3
            AND (SELECT MIN(i.received_at) FROM intents i WHERE i.msg_id = o.msg_id) <= ?4
          ORDER BY o.order_id DESC LIMIT 1",
        params![buyer, req.sku, req.key.msg_id, received_at],
        OpenOrder::from_row,
    )
    .optional()
    .map_err(map_err)
}

fn cancel_order(tx: &Transaction<'_>, open: &OpenOrder, now: i64) -> Result<Confirmed, StoreError> {
    tx.exec_cached(
        "UPDATE orders SET status = 'cancelled', cancelled_at = ?2 WHERE order_id = ?1",
        params![open.order_id, now],
    )
    .map_err(map_err)?;
    book::sale_units(tx, open.sale_id, -i64::from(open.qty))?;
    let stock_left = adjust_stock(tx, &open.sku, i64::from(open.qty), open.unit_price_fen)?;
    Ok(Confirmed {
        action: OrderAction::Cancelled,
        order_id: open.order_id,
        sku: open.sku.clone(),
        qty: open.qty,
        before_qty: None,
        user: open.user.clone(),
        stock_left,
        sold: sold(tx, &open.sku)?,
        revenue_fen: revenue(tx, &open.sku)?,
        unit_price_fen: open.unit_price_fen,
    })
}

fn change_order(
    tx: &Transaction<'_>,
    open: &OpenOrder,
    new_qty: u32,
    buyer: &str,
) -> Result<Result<Confirmed, Refusal>, StoreError> {
    // The order's product may have left config since; its stock still counts.
    let (stock, limit): (i64, Option<u32>) = tx
        .query_row(
            "SELECT stock, limit_per_buyer FROM products WHERE sku = ?1",
            [&open.sku],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(map_err)?;
    let increase = i64::from(new_qty) - i64::from(open.qty);
    if increase > 0 {
        if let Some(limit) = limit {
            let others = bought(tx, buyer, &open.sku, Some(open.order_id))?;
            if others + i64::from(new_qty) > i64::from(limit) {
                return Ok(Err(Refusal::OverLimit {
                    limit,
                    already: clamp_u32(others + i64::from(open.qty)),
                }));
            }
        }
        if stock < increase {
            return Ok(Err(Refusal::OutOfStock { left: stock }));
        }
    }
    tx.exec_cached(
        "UPDATE orders SET qty = ?2 WHERE order_id = ?1",
        params![open.order_id, new_qty],
    )
    .map_err(map_err)?;
    book::sale_units(tx, open.sale_id, increase)?;
    let stock_left = adjust_stock(tx, &open.sku, -increase, open.unit_price_fen)?;
    Ok(Ok(Confirmed {
        action: OrderAction::Changed,
        order_id: open.order_id,
        sku: open.sku.clone(),
        qty: new_qty,
        before_qty: Some(open.qty),
        user: open.user.clone(),
        stock_left,
        sold: sold(tx, &open.sku)?,
        revenue_fen: revenue(tx, &open.sku)?,
        unit_price_fen: open.unit_price_fen,
    }))
}

/// Moves `delta` units of a product between its stock and its orders (an
/// order created or grown takes them, one cancelled, shrunk or undone gives
/// them back) at `unit_price_fen`, and returns the new stock. The product
/// keeps its units sold and money taken as counters moved in the same
/// statement, so a confirm reads them in one look-up however many orders
/// the product has. The CHECK constraint turns a would-be negative stock
/// into an error, not a row.
pub(super) fn adjust_stock(
    tx: &Transaction<'_>,
    sku: &str,
    delta: i64,
    unit_price_fen: i64,
) -> Result<i64, StoreError> {
    tx.prepare_cached(
        "UPDATE products
            SET stock = stock + ?2, sold = sold - ?2, revenue_fen = revenue_fen - ?2 * ?3
          WHERE sku = ?1 RETURNING stock",
    )
    .and_then(|mut stmt| stmt.query_row(params![sku, delta, unit_price_fen], |row| row.get(0)))
    .map_err(map_err)
}

/// Units of `sku` the buyer holds in confirmed orders, leaving one order out.
fn bought(
    tx: &Transaction<'_>,
    buyer: &str,
    sku: &str,
    except_order: Option<i64>,
) -> Result<i64, StoreError> {
    tx.row_cached(
        "SELECT COALESCE(SUM(qty), 0) FROM orders
          WHERE buyer = ?1 AND sku = ?2 AND status = 'confirmed'
            AND (?3 IS NULL OR order_id <> ?3)",
        params![buyer, sku, except_order],
        |row| row.get(0),
    )
    .map_err(map_err)
}

/// Money taken for `sku` in confirmed orders (the product's counter).
fn revenue(tx: &Transaction<'_>, sku: &str) -> Result<i64, StoreError> {
    tx.prepare_cached("SELECT revenue_fen FROM products WHERE sku = ?1")
        .and_then(|mut stmt| stmt.query_row([sku], |row| row.get(0)))
        .map_err(map_err)
}

/// Units of `sku` in confirmed orders (the product's counter).
fn sold(tx: &Transaction<'_>, sku: &str) -> Result<i64, StoreError> {
    tx.prepare_cached("SELECT sold FROM products WHERE sku = ?1")
        .and_then(|mut stmt| stmt.query_row([sku], |row| row.get(0)))
        .map_err(map_err)
}

/// One row of the audit trail, built up by what it concerns.
pub(super) struct Audit<'a> {
    at: i64,
    helper: &'a str,
    action: &'a str,
    key: Option<&'a IntentKey>,
    order_id: Option<i64>,
    detail: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl<'a> Audit<'a> {
    /// When it happened (Unix ms).
    pub(super) fn at(&self) -> i64 {
        self.at
    }

    pub(super) fn new(at: i64, helper: &'a str, action: &'a str) -> Audit<'a> {
        Audit {
            at,
            helper,
            action,
            key: None,
            order_id: None,
            detail: String::new(),
            before: None,
            after: None,
        }
    }
    pub(super) fn intent(mut self, key: &'a IntentKey) -> Self {
        self.key = Some(key);
        self
    }
    pub(super) fn order(mut self, order_id: i64) -> Self {
        self.order_id = Some(order_id);
        self
    }
    pub(super) fn detail(mut self, detail: String) -> Self {
        self.detail = detail;
        self
    }
    pub(super) fn change(mut self, before: serde_json::Value, after: serde_json::Value) -> Self {
        self.before = Some(before);
        self.after = Some(after);
        self
    }
}

/// Writes one audit row inside the transaction whose change it describes,
/// so the trail and the data can never disagree.
pub(super) fn log_event(tx: &Transaction<'_>, audit: Audit<'_>) -> Result<(), StoreError> {
    tx.exec_cached(
        "INSERT INTO events
             (at, helper, action, msg_id, idx, order_id, detail, before_state, after_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            audit.at,
            audit.helper,
            audit.action,
            audit.key.map(|k| &k.msg_id),
            audit.key.map(|k| k.index),
            audit.order_id,
            audit.detail,
            audit.before.map(|v| v.to_string()),
            audit.after.map(|v| v.to_string()),
        ],
    )
    .map(drop)
    .map_err(map_err)
}

pub(super) fn clamp_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// Unix milliseconds as RFC 3339 local time (exports, listings); empty when
/// out of range.
pub fn rfc3339_local(ms: i64) -> String {
    use chrono::TimeZone;
    match chrono::Local.timestamp_millis_opt(ms).single() {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        None => String::new(),
    }
}

/// Marks intents rejected inside `tx`, each with its audit event; those
/// already decided are left as they are.
fn reject_keys(
    tx: &rusqlite::Transaction<'_>,
    keys: &[IntentKey],
    helper: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut update = tx
        .prepare_cached(
            "UPDATE intents SET status = 'rejected', decided_at = ?3, helper = ?4
              WHERE msg_id = ?1 AND idx = ?2
                AND status IN ('pending', 'refused', 'waitlisted')",
        )
        .map_err(map_err)?;
    for key in keys {
        let changed = update
            .execute(params![key.msg_id, key.index, now, helper])
            .map_err(map_err)?;
        if changed > 0 {
            log_event(
                tx,
                Audit::new(now, helper, "rejected")
                    .intent(key)
                    .change(json!({"intent": "pending"}), json!({"intent": "rejected"})),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, Product};

    fn intent(msg_id: &str) -> NewIntent {
        NewIntent {
            key: IntentKey {
                msg_id: msg_id.into(),
                index: 0,
            },
            source: "json".into(),
            user: "阿花".into(),
            user_id: None,
            text: "小米两袋".into(),
            kind: IntentKind::Order,
            sku: Some("millet".into()),
            qty: Some(2),
            confidence: 0.9,
            received_at_ms: 1,
            note: None,
        }
    }

    /// A database that refuses every write (read-only, moved, I/O errors) is
    /// not a bad row: the queued intents stay queued for the next attempt
    /// instead of being tried one by one and dropped.
    #[test]
    fn a_database_wide_failure_keeps_every_intent_queued() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shop.db");
        let catalog = Catalog::new(vec![Product {
            sku: "millet".into(),
            name: "小米".into(),
            aliases: vec![],
            link: 1,
            unit: "袋".into(),
            price_fen: 3990,
            stock: 10,
            limit_per_buyer: None,
        }]);
        drop(super::super::Store::open(&path, &catalog).expect("create"));
        let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("read-only connection");
        let mut worker = Worker {
            conn,
            unwritten: vec![intent("m1"), intent("m2"), intent("m3")],
            awaiting_write: Vec::new(),
            write_failed_this_round: None,
        };
        let err = worker.write_intents().expect_err("read-only database");
        // The whole database refuses (read-only), not one row.
        assert!(matches!(err, StoreError::ReadOnly(_)), "{err:?}");
        assert_eq!(worker.unwritten.len(), 3);
    }
}

/// Group commit, watched from outside: SQLite's own commit hook counts the
/// commits, and every answer, at the moment it is sent, looks at the
/// database through a second connection (which sees committed data only).
#[cfg(test)]
mod group_commit {
    use super::*;
    use crate::catalog::{Catalog, Product};
    use crate::store::schema;
    use crate::store::StoreOptions;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc, Mutex};

    fn product(sku: &str, link: u32, stock: i64) -> Product {
        Product {
            sku: sku.into(),
            name: sku.into(),
            aliases: vec![],
            link,
            unit: "袋".into(),
            price_fen: 1000,
            stock,
            limit_per_buyer: None,
        }
    }

    struct Shop {
        dir: tempfile::TempDir,
        path: PathBuf,
        /// Commits of the store connection, as SQLite's commit hook saw them.
        commits: Arc<AtomicUsize>,
        /// While set, the commit hook turns every commit into a rollback.
        veto: Arc<AtomicBool>,
        conn: Connection,
    }

    /// millet (10 in stock) and gift (1), with the store connection as the
    /// store opens it; `sql` is run first from another connection.
    fn shop(sql: &str) -> Shop {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shop.db");
        let catalog = Catalog::new(vec![product("millet", 1, 10), product("gift", 2, 1)]);
        drop(crate::store::Store::open(&path, &catalog).expect("create"));
        Connection::open(&path)
            .expect("setup connection")
            .execute_batch(sql)
            .expect("setup sql");
        let conn = schema::open(&path, &StoreOptions::default()).expect("store connection");
        let commits = Arc::new(AtomicUsize::new(0));
        let veto = Arc::new(AtomicBool::new(false));
        conn.commit_hook(Some({
            let commits = Arc::clone(&commits);
            let veto = Arc::clone(&veto);
            move || {
                commits.fetch_add(1, Ordering::SeqCst);
                veto.load(Ordering::SeqCst)
            }
        }));
        Shop {
            dir,
            path,
            commits,
            veto,
            conn,
        }
    }

    fn intent(msg_id: &str, sku: &str, qty: u32) -> NewIntent {
        NewIntent {
            key: IntentKey {
                msg_id: msg_id.into(),
                index: 0,
            },
            source: "json".into(),
            user: format!("user of {msg_id}"),
            user_id: None,
            text: format!("{sku} x{qty}"),
            kind: IntentKind::Order,
            sku: Some(sku.into()),
            qty: Some(qty),
            confidence: 0.95,
            received_at_ms: 1,
            note: None,
        }
    }

    fn request(msg_id: &str, sku: &str, qty: u32) -> ConfirmRequest {
        ConfirmRequest {
            key: IntentKey {
                msg_id: msg_id.into(),
                index: 0,
            },
            kind: IntentKind::Order,
            user: format!("user of {msg_id}"),
            user_id: None,
            sku: Some(sku.into()),
            qty: Some(qty),
            helper: "auto".into(),
        }
    }

    /// What another connection sees of one message when its answer is sent.
    #[derive(Debug, PartialEq)]
    struct Seen {
        intent_status: Option<String>,
        orders: i64,
    }

    fn seen(path: &Path, msg_id: &str) -> Seen {
        let other = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("second connection");
        Seen {
            intent_status: other
                .query_row(
                    "SELECT status FROM intents WHERE msg_id = ?1",
                    [msg_id],
                    |row| row.get(0),
                )
                .optional()
                .expect("intent status"),
            orders: other
                .query_row(
                    "SELECT COUNT(*) FROM orders WHERE msg_id = ?1",
                    [msg_id],
                    |row| row.get(0),
                )
                .expect("orders"),
        }
    }

    /// An answer as it was heard: which request, what it said, and what
    /// the database held (commits so far, the message's rows) right then.
    struct Heard {
        what: String,
        result: Result<Confirmed, Refusal>,
        commits: usize,
        seen: Seen,
    }

    type Log = Arc<Mutex<Vec<Heard>>>;

    fn confirm(shop: &Shop, log: &Log, req: ConfirmRequest) -> Request {
        let (log, path, commits) = (
            Arc::clone(log),
            shop.path.clone(),
            Arc::clone(&shop.commits),
        );
        let msg_id = req.key.msg_id.clone();
        Request::Confirm(
            req,
            Answer::call(move |result| {
                let heard = Heard {
                    seen: seen(&path, &msg_id),
                    commits: commits.load(Ordering::SeqCst),
                    what: msg_id,
                    result,
                };
                log.lock().expect("log").push(heard);
            }),
        )
    }

    /// Queues every request before the thread starts, so it takes them all
    /// off the channel in one round, then runs the store thread to the end.
    /// Returns the shop's folder, to be kept while the database is read.
    fn run_all(shop: Shop, requests: Vec<Request>) -> tempfile::TempDir {
        let (tx, rx) = mpsc::channel();
        for request in requests {
            tx.send(request).expect("queue");
        }
        drop(tx);
        run(shop.conn, rx);
        shop.dir
    }

    fn stock(path: &Path, sku: &str) -> i64 {
        Connection::open(path)
            .expect("connection")
            .query_row("SELECT stock FROM products WHERE sku = ?1", [sku], |row| {
                row.get(0)
            })
            .expect("stock")
    }

    fn ordered(path: &Path) -> Vec<String> {
        let conn = Connection::open(path).expect("connection");
        let mut stmt = conn
            .prepare("SELECT msg_id FROM orders ORDER BY order_id")
            .expect("prepare");
        let rows = stmt.query_map([], |row| row.get(0)).expect("query");
        rows.collect::<Result<_, _>>().expect("rows")
    }

    #[test]
    fn back_to_back_confirms_share_one_commit_and_each_is_answered_after_it() {
        // "boom" fails half-way, after its order row and its stock are
        // written: the savepoint must take back exactly that.
        let shop = shop(
            "CREATE TRIGGER fail_boom BEFORE INSERT ON events WHEN NEW.msg_id = 'boom'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        );
        let (path, commits) = (shop.path.clone(), Arc::clone(&shop.commits));
        let log = Log::default();
        let asked = [
            ("m1", "millet", 2),
            ("m2", "gift", 1),
            ("m3", "gift", 1),
            ("boom", "millet", 3),
            ("m5", "millet", 1),
        ];
        let mut requests = vec![Request::Record(
            asked.iter().map(|&(m, s, q)| intent(m, s, q)).collect(),
            None,
        )];
        for &(m, s, q) in &asked {
            requests.push(confirm(&shop, &log, request(m, s, q)));
        }
        let _dir = run_all(shop, requests);

        // One commit for the intents, one for the five confirms.
        assert_eq!(commits.load(Ordering::SeqCst), 2);
        let log = log.lock().expect("log");
        let order: Vec<&str> = log.iter().map(|h| h.what.as_str()).collect();
        assert_eq!(order, ["m1", "m2", "m3", "boom", "m5"], "answered in order");
        for heard in log.iter() {
            assert_eq!(
                heard.commits, 2,
                "{} answered before its commit",
                heard.what
            );
        }
        let stock_left = |i: usize| match &log[i].result {
            Ok(done) => done.stock_left,
            Err(refusal) => panic!("{}: {refusal:?}", log[i].what),
        };
        assert_eq!(stock_left(0), 8);
        assert_eq!(stock_left(1), 0);
        assert_eq!(
            log[2].result,
            Err(Refusal::Waitlisted { place: 1, left: 0 })
        );
        assert!(
            matches!(&log[3].result, Err(Refusal::Storage(StoreError::Sqlite(r))) if r.contains("injected failure")),
            "{:?}",
            log[3].result
        );
        // boom's 3 units came back before m5 was decided.
        assert_eq!(stock_left(4), 7);

        let status = |s: &str| Some(s.to_string());
        let expected = [
            Seen {
                intent_status: status("confirmed"),
                orders: 1,
            },
            Seen {
                intent_status: status("confirmed"),
                orders: 1,
            },
            // A refusal (here: a place in line) is kept, as a lone confirm's is.
            Seen {
                intent_status: status("waitlisted"),
                orders: 0,
            },
            // A failed confirm leaves its intent pending and nothing else.
            Seen {
                intent_status: status("pending"),
                orders: 0,
            },
            Seen {
                intent_status: status("confirmed"),
                orders: 1,
            },
        ];
        for (heard, expected) in log.iter().zip(&expected) {
            assert_eq!(&heard.seen, expected, "{} when answered", heard.what);
        }
        assert_eq!(ordered(&path), ["m1", "m2", "m5"]);
        assert_eq!(stock(&path, "millet"), 7);
        assert_eq!(stock(&path, "gift"), 0);
    }

    #[test]
    fn a_request_between_confirms_ends_the_group_and_answers_keep_their_order() {
        let shop = shop("");
        let (path, commits) = (shop.path.clone(), Arc::clone(&shop.commits));
        let log = Log::default();
        let inventory = {
            let log = Arc::clone(&log);
            let commits = Arc::clone(&commits);
            Request::Inventory(Answer::call(move |rows: Result<Vec<StockRow>, _>| {
                let millet = rows.expect("inventory")[0].stock;
                log.lock().expect("log").push(Heard {
                    what: format!("inventory: millet {millet}"),
                    result: Err(Refusal::NoProduct),
                    commits: commits.load(Ordering::SeqCst),
                    seen: Seen {
                        intent_status: None,
                        orders: 0,
                    },
                });
            }))
        };
        let requests = vec![
            confirm(&shop, &log, request("c1", "millet", 1)),
            confirm(&shop, &log, request("c2", "millet", 1)),
            inventory,
            confirm(&shop, &log, request("c3", "millet", 1)),
        ];
        let _dir = run_all(shop, requests);

        let log = log.lock().expect("log");
        let heard: Vec<(&str, usize)> = log.iter().map(|h| (h.what.as_str(), h.commits)).collect();
        assert_eq!(
            heard,
            [("c1", 1), ("c2", 1), ("inventory: millet 8", 1), ("c3", 2)]
        );
        assert_eq!(commits.load(Ordering::SeqCst), 2);
        assert_eq!(ordered(&path), ["c1", "c2", "c3"]);
    }

    #[test]
    fn when_the_group_commit_fails_every_confirm_in_it_hears_the_error() {
        let shop = shop("");
        shop.veto.store(true, Ordering::SeqCst);
        let path = shop.path.clone();
        let log = Log::default();
        let requests = vec![
            confirm(&shop, &log, request("v1", "millet", 1)),
            confirm(&shop, &log, request("v2", "gift", 1)),
            confirm(&shop, &log, request("v3", "millet", 2)),
        ];
        let _dir = run_all(shop, requests);

        let log = log.lock().expect("log");
        assert_eq!(log.len(), 3);
        for heard in log.iter() {
            assert!(
                matches!(heard.result, Err(Refusal::Storage(_))),
                "{}: {:?}",
                heard.what,
                heard.result
            );
        }
        assert!(ordered(&path).is_empty());
        assert_eq!(stock(&path, "millet"), 10);
        assert_eq!(stock(&path, "gift"), 1);
    }

    #[test]
    fn an_error_that_ends_the_transaction_fails_the_whole_group() {
        // RAISE(ROLLBACK) ends the transaction as an I/O error or a full
        // disk can: "after" must not then be written outside of it.
        let shop = shop(
            "CREATE TRIGGER end_tx BEFORE INSERT ON events WHEN NEW.msg_id = 'end'
             BEGIN SELECT RAISE(ROLLBACK, 'transaction ended'); END;",
        );
        let path = shop.path.clone();
        let log = Log::default();
        let requests = vec![
            confirm(&shop, &log, request("before", "millet", 1)),
            confirm(&shop, &log, request("end", "millet", 1)),
            confirm(&shop, &log, request("after", "millet", 1)),
        ];
        let _dir = run_all(shop, requests);

        let log = log.lock().expect("log");
        assert_eq!(log.len(), 3);
        for heard in log.iter() {
            assert!(
                matches!(&heard.result, Err(Refusal::Storage(StoreError::Sqlite(r))) if r.contains("transaction ended")),
                "{}: {:?}",
                heard.what,
                heard.result
            );
        }
        assert!(ordered(&path).is_empty());
        assert_eq!(stock(&path, "millet"), 10);
    }
}
