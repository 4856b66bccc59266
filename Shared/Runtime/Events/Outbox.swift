public import Foundation
public import SQLKit

/// Writes domain changes and the events announcing them in one transaction.
///
/// ```swift
/// try await outbox.transaction { tx in
///     try await tx.sql.insert(into: "threads")…
///     try await tx.publish(EventTypes.chatThreadTasksCompleted, firmID: firm, payload: event)
/// }
/// ```
/// Publishing fans the event out at once into one delivery job per matching subscription, in the
/// same transaction; once it commits the job runner is woken. If the process dies first, nothing
/// was committed and nothing is announced. The transaction can enqueue jobs of its own too
/// (`OutboxTransaction.enqueue`).
public struct Outbox: Sendable {
    public let database: Database
    public let signal: OutboxSignal
    /// Attempts each delivery gets before it is dead.
    public let deliveryAttempts: Int

    public init(database: Database, signal: OutboxSignal, deliveryAttempts: Int = 12) {
        self.database = database
        self.signal = signal
        self.deliveryAttempts = deliveryAttempts
    }

    /// Runs `body` in a transaction in which it may publish events.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (OutboxTransaction) async throws -> T) async throws -> T {
        // Read here, not inside: task-locals do not reach a PostgreSQL transaction's own task.
        let trace = RequestScope.current?.trace
        let attempts = deliveryAttempts
        let handoff = (signal.handoff, PendingHandoff())
        let result = try await database.transaction { sql in
            try await body(OutboxTransaction(sql: sql, trace: trace, deliveryAttempts: attempts, handoff: handoff))
        }
        signal.handoff.give(handoff.1.all)
        signal.notify()
        return result
    }
}

/// A transaction that can publish events.
public struct OutboxTransaction: Sendable {
    public let sql: any SQLDatabase
    /// The trace of the request that opened the transaction, if any.
    let trace: TraceParent?
    let deliveryAttempts: Int
    /// Where jobs claimed for this process's runner wait for the commit; nil outside `Outbox`.
    let handoff: (JobHandoff, PendingHandoff)?

    public init(sql: any SQLDatabase, trace: TraceParent? = nil, deliveryAttempts: Int = 12) {
        self.init(sql: sql, trace: trace, deliveryAttempts: deliveryAttempts, handoff: nil)
    }

    init(sql: any SQLDatabase, trace: TraceParent?, deliveryAttempts: Int, handoff: (JobHandoff, PendingHandoff)?) {
        self.sql = sql
        self.trace = trace
        self.deliveryAttempts = deliveryAttempts
        self.handoff = handoff
    }

    /// Records an event to deliver to every subscription that wants `type`; returns its id (the `webhook-id`).
    @discardableResult
    public func publish(_ type: String, firmID: String?, payload: some Codable & Sendable) async throws -> String {
        let id = Identifier.make("msg")
        let now = Date()
        let millis = EpochMillis.now(now)
        let envelope = WebhookEnvelope(type: type, timestamp: now, data: payload)
        let body = String(decoding: try WebhookJSON.encoder.encode(envelope), as: UTF8.self)
        // The request that caused the event continues its trace into every delivery of it.
        let trace = self.trace?.child().description
        // Fanned out below, in this transaction: dispatched as it is written.
        try await sql.insert(into: "outbox_events")
            .columns("id", "type", "firm_id", "payload", "traceparent", "created_at", "dispatched_at")
            .values(SQLBind(id), SQLBind(type), SQLBind(firmID), SQLBind(body), SQLBind(trace), SQLBind(millis), SQLBind(millis))
            .run()
        try await WebhookFanOut.fanOut(sql, event: OutboxHead(id: id, type: type, firmId: firmID), attempts: deliveryAttempts, now: millis,
                                       handoff: handoff)
        return id
    }
}

/// The JSON body of every webhook: `{"type": …, "timestamp": …, "data": …}` (Standard Webhooks).
public struct WebhookEnvelope<Payload: Codable & Sendable>: Codable, Sendable {
    public var type: String
    public var timestamp: Date
    public var data: Payload

    public init(type: String, timestamp: Date, data: Payload) {
        self.type = type
        self.timestamp = timestamp
        self.data = data
    }

    /// Decodes a webhook body.
    public static func decode(_ body: some DataProtocol) throws -> WebhookEnvelope<Payload> {
        try WebhookJSON.decoder.decode(Self.self, from: Data(body))
    }
}

/// The JSON settings of webhook bodies.
enum WebhookJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
