import Foundation
import SQLKit

/// The SQL behind the dispatcher and the webhooks API; one code path for SQLite and PostgreSQL.
struct WebhookStore: Sendable {
    let database: Database

    private var skipLocked: String { database.engine == .postgres ? "FOR UPDATE SKIP LOCKED" : "" }

    /// One dispatcher round in one transaction: fan new events out into deliveries, then lease
    /// up to `claim` due deliveries. Returns how many events it fanned out and the leased jobs.
    func fanOutAndClaim(fanOutLimit: Int, budget: Int, claim: Int, leaseMillis: Int64) async throws
        -> (fanned: Int, jobs: [DeliveryJob])
    {
        try await database.transaction { tx in
            let fanned = try await fanOut(tx, limit: fanOutLimit, budget: budget)
            let jobs = claim > 0 ? try await claimDue(tx, limit: claim, leaseMillis: leaseMillis) : []
            return (fanned, jobs)
        }
    }

    /// Turns undispatched outbox events into one delivery per matching subscription. Returns how many events it took.
    private func fanOut(_ tx: any SQLDatabase, limit: Int, budget: Int) async throws -> Int {
        let lock = skipLocked
        let events = try await tx.raw(
            "SELECT seq, id, type, firm_id FROM outbox_events WHERE dispatched_at IS NULL ORDER BY seq LIMIT \(bind: limit) \(unsafeRaw: lock)"
        ).all(decoding: OutboxHead.self, keyDecodingStrategy: .convertFromSnakeCase)
        guard !events.isEmpty else { return 0 }
        let subscriptions = try await tx.select().column("*").from("webhook_subscriptions")
            .all(decoding: SubscriptionRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
        let now = EpochMillis.now()
        for event in events {
            for subscription in subscriptions
            where subscription.wants(event.type)
                && (subscription.firmId == nil || subscription.firmId == event.firmId)
            {
                try await insertDelivery(
                    tx, event: event, subscription: subscription.id, budget: budget, now: now)
            }
        }
        try await tx.update("outbox_events").set("dispatched_at", to: SQLBind(now))
            .where("seq", .in, SQLBind.group(events.map(\.seq))).run()
        return events.count
    }

    private func insertDelivery(
        _ tx: any SQLDatabase, event: OutboxHead, subscription: String, budget: Int, now: Int64
    ) async throws {
        try await tx.raw(
            """
            INSERT INTO webhook_deliveries (id, event_id, event_type, firm_id, subscription_id, status, attempts, attempt_budget, next_attempt_at, created_at)
            VALUES (\(bind: Identifier.make("dlv")), \(bind: event.id), \(bind: event.type), \(bind: event.firmId), \(bind: subscription), 'pending', 0, \(bind: budget), \(bind: now), \(bind: now))
            ON CONFLICT (event_id, subscription_id) DO NOTHING
            """
        ).run()
    }

    /// Leases up to `limit` due deliveries for `leaseMillis` and returns them ready to send.
    private func claimDue(_ tx: any SQLDatabase, limit: Int, leaseMillis: Int64) async throws
        -> [DeliveryJob]
    {
        let lock = skipLocked
        let now = EpochMillis.now()
        let due = try await tx.raw(
            """
            SELECT id FROM webhook_deliveries
            WHERE status = 'pending' AND next_attempt_at <= \(bind: now) AND (lease_until IS NULL OR lease_until < \(bind: now))
            ORDER BY next_attempt_at LIMIT \(bind: limit) \(unsafeRaw: lock)
            """
        ).all(decoding: IDRow.self)
        guard !due.isEmpty else { return [] }
        let ids = due.map(\.id)
        try await tx.update("webhook_deliveries").set("lease_until", to: SQLBind(now + leaseMillis))
            .where("id", .in, SQLBind.group(ids)).run()
        return try await tx.raw(
            """
            SELECT d.id AS delivery_id, d.event_id, s.url, s.secret, e.payload AS body, e.traceparent, d.attempts, d.attempt_budget
            FROM webhook_deliveries d
            JOIN webhook_subscriptions s ON s.id = d.subscription_id
            JOIN outbox_events e ON e.id = d.event_id
            WHERE d.id IN (\(binds: ids))
            """
        ).all(decoding: DeliveryJobRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            .map(\.job)
    }

    /// Records one attempt and moves the delivery on: delivered, retried at `retryAt`, or dead.
    func record(_ job: DeliveryJob, outcome: AttemptOutcome, retryAt: Int64?) async throws {
        try await database.transaction { tx in
            let now = EpochMillis.now()
            let number = job.attempts + 1
            try await tx.insert(into: "webhook_attempts")
                .columns("delivery_id", "number", "attempted_at", "status_code", "error", "duration_ms")
                .values(
                    SQLBind(job.deliveryID), SQLBind(number), SQLBind(now),
                    SQLBind(outcome.statusCode.map(Int64.init)),
                    SQLBind(outcome.error), SQLBind(outcome.durationMs)
                )
                .run()
            let status: DeliveryStatus =
                outcome.succeeded ? .delivered : (retryAt == nil ? .dead : .pending)
            try await tx.update("webhook_deliveries")
                .set("status", to: SQLBind(status.rawValue))
                .set("attempts", to: SQLBind(number))
                .set("next_attempt_at", to: SQLBind(status == .pending ? retryAt : nil))
                .set("lease_until", to: SQLBind(Int64?.none))
                .set("last_error", to: SQLBind(outcome.failure))
                .set("delivered_at", to: SQLBind(outcome.succeeded ? now : nil))
                .where("id", .equal, SQLBind(job.deliveryID))
                .run()
        }
    }

    /// When the earliest pending delivery falls due, if any.
    func nextDue() async throws -> Int64? {
        try await database.sql.raw(
            "SELECT MIN(next_attempt_at) AS next FROM webhook_deliveries WHERE status = 'pending'"
        ).first(decoding: NextRow.self)?.next
    }
}

private struct OutboxHead: Decodable {
    var seq: Int64
    var id: String
    var type: String
    var firmId: String?
}

private struct IDRow: Decodable {
    var id: String
}

private struct NextRow: Decodable {
    var next: Int64?
}

private struct DeliveryJobRow: Decodable {
    var deliveryId: String
    var eventId: String
    var url: String
    var secret: String
    var body: String
    var traceparent: String?
    var attempts: Int64
    var attemptBudget: Int64

    var job: DeliveryJob {
        DeliveryJob(
            deliveryID: deliveryId, eventID: eventId, url: url, secret: secret, body: body,
            traceparent: traceparent, attempts: attempts, attemptBudget: attemptBudget)
    }
}
