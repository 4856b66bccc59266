import Foundation
import SQLKit

/// Fans an event out into deliveries, each a job of the queue; one code path for both engines.
enum WebhookFanOut {
    /// The job kind of one webhook delivery.
    static let kind = JobKind<DeliveryJobPayload>("webhook.delivery")

    /// One delivery (and its job) per subscription that wants the event, in the publishing transaction.
    /// The caller marks the event dispatched (`publish` writes it so in its insert).
    static func fanOut(
        _ tx: any SQLDatabase, event: OutboxHead, attempts: Int, now: Int64, handoff: (JobHandoff, PendingHandoff)? = nil
    ) async throws {
        let subscriptions = try await tx.select().column("*").from("webhook_subscriptions")
            .all(decoding: SubscriptionRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        for subscription in subscriptions where subscription.wants(event.type) && subscription.receives(firm: event.firmId)
            && subscription.mayReceive(event.type) {
            let id = Identifier.make("dlv")
            let inserted = try await tx.raw("""
                INSERT INTO webhook_deliveries (id, event_id, event_type, firm_id, subscription_id, owner, created_at)
                VALUES (\(bind: id), \(bind: event.id), \(bind: event.type), \(bind: event.firmId), \(bind: subscription.id),
                        \(bind: subscription.owner), \(bind: now))
                ON CONFLICT (event_id, subscription_id) DO NOTHING RETURNING id
                """).first(decoding: JobIDRow.self)
            guard inserted != nil else { continue }
            try await JobQueue.enqueue(kind, DeliveryJobPayload(), runAt: now, uniqueKey: nil, maxAttempts: attempts, id: id, in: tx,
                                       handoff: handoff)
        }
    }

    /// Fans out events left undispatched by an older version (which fanned out in a separate pass).
    static func sweep(_ database: Database, attempts: Int) async throws {
        try await database.transaction { tx in
            let events = try await tx.raw(
                "SELECT id, type, firm_id FROM outbox_events WHERE dispatched_at IS NULL ORDER BY seq"
            ).all(decoding: OutboxHead.self, keyDecodingStrategy: .snakeCaseColumns)
            for event in events {
                let now = EpochMillis.now()
                try await fanOut(tx, event: event, attempts: attempts, now: now)
                try await tx.update("outbox_events").set("dispatched_at", to: SQLBind(now)).where("id", .equal, SQLBind(event.id)).run()
            }
        }
    }
}

/// What fan-out needs of an event.
struct OutboxHead: Decodable {
    var id: String
    var type: String
    var firmId: String?
}

/// Deletes what no one can need any more: finished deliveries and jobs, their attempts, outbox rows
/// no delivery refers to, and inbox ids past the last moment a redelivery could still arrive.
struct WebhookRetention: Sendable {
    let database: Database
    let retentionMillis: Int64
    /// The longest a delivery can keep being retried (and so re-arrive) after it was last sent.
    let retrySpanMillis: Int64

    static let kind = JobKind<RetentionRun>("runtime.retention", maxAttempts: 3)
    static let everyMillis: Int64 = 3_600_000

    func prune(now: Int64) async throws {
        let cutoff = now - retentionMillis
        try await JobStore(database: database).prune(finishedBefore: cutoff)
        try await database.sql.raw(
            "DELETE FROM webhook_deliveries WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = webhook_deliveries.id)"
        ).run()
        try await database.sql.raw("""
            DELETE FROM outbox_events WHERE dispatched_at < \(bind: cutoff)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = outbox_events.id)
            """).run()
        // A producer replays a delivery at most `retention` after it last finished, and each
        // (re)delivery keeps arriving for at most the retry span; a receipt refreshes the id.
        try await database.sql.raw(
            "DELETE FROM webhook_inbox WHERE received_at < \(bind: cutoff - 2 * retrySpanMillis)"
        ).run()
    }

    /// Schedules the run of the period after `now` (once, however many replicas ask).
    static func scheduleNext(_ database: Database, after now: Int64) async throws {
        let period = now / everyMillis + 1
        try await database.transaction { tx in
            try await JobQueue.enqueue(kind, RetentionRun(), runAt: period * everyMillis, uniqueKey: "runtime.retention:\(period)", in: tx)
        }
    }
}

struct RetentionRun: Codable, Sendable {}
