public import Foundation
public import OpenAPIRuntime
public import SQLKit

/// The consumer side of webhooks: verify, then apply each event exactly once.
///
/// The `webhook-id` is recorded in `webhook_inbox` in the same transaction as the effect, so a
/// redelivery (a retry after a lost response, a replay, a producer that died after sending)
/// finds it there and changes nothing.
public struct WebhookInbox: Sendable {
    public let database: Database
    /// The secret this consumer registered its subscriptions with.
    public let secret: String

    public init(database: Database, secret: String) {
        self.database = database
        self.secret = secret
    }

    /// Whether the event was applied now or had been applied before.
    public enum Receipt: Sendable, Equatable {
        case applied
        case duplicate
    }

    /// Verifies the Standard Webhooks headers against `body`, then runs `effect` once per `webhook-id`.
    public func receive(
        id: String, timestamp: String, signature: String, body: some DataProtocol, now: Date = Date(),
        effect: @escaping @Sendable (any SQLDatabase, String) async throws -> Void
    ) async throws -> Receipt {
        guard let key = WebhookSecret.key(of: secret) else {
            throw RuntimeError.unavailable("This consumer's webhook secret is unusable.")
        }
        try WebhookSignature.verify(key: key, id: id, timestamp: timestamp, signature: signature, body: body, now: now)
        let type = try Self.eventType(of: body)
        return try await database.transaction { tx in
            let inserted = try await tx.raw("""
                INSERT INTO webhook_inbox (webhook_id, event_type, received_at)
                VALUES (\(bind: id), \(bind: type), \(bind: EpochMillis.now()))
                ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id
                """).first()
            guard inserted != nil else {
                // The id is kept until no redelivery can arrive any more, counted from the last one.
                try await tx.update("webhook_inbox").set("received_at", to: SQLBind(EpochMillis.now()))
                    .where("webhook_id", .equal, SQLBind(id)).run()
                return .duplicate
            }
            try await effect(tx, type)
            return .applied
        }
    }
}

extension WebhookInbox {
    /// The `type` of a verified body. The body is the producer's input, so a body that is not an
    /// event envelope is their 400 (with what was wrong), not the 500 a `DecodingError` would be.
    static func eventType(of body: some DataProtocol) throws -> String {
        do {
            return try WebhookEnvelope<IgnoredPayload>.decode(body).type
        } catch let error as DecodingError {
            throw RuntimeError.invalidBody("The webhook body is not an event envelope ({type, timestamp, data}): \(DecodingErrorDescription(error).text)")
        }
    }

    /// The largest webhook body a receiver accepts.
    public static let maxEventBytes = 256 * 1024

    /// Collects a receiver route's body (413 beyond `maxEventBytes`), then verifies and applies it
    /// as `receive(id:timestamp:signature:body:effect:)` does; `effect` gets the body too.
    public func receive(
        id: String, timestamp: String, signature: String, stream: HTTPBody,
        effect: @escaping @Sendable (any SQLDatabase, String, Data) async throws -> Void
    ) async throws -> Receipt {
        let body: Data
        do {
            body = try await Data(collecting: stream, upTo: Self.maxEventBytes)
        } catch {
            throw RuntimeError.payloadTooLarge(Self.maxEventBytes)
        }
        return try await receive(id: id, timestamp: timestamp, signature: signature, body: body) { tx, type in
            try await effect(tx, type, body)
        }
    }
}

/// Decodes any `data` without looking at it.
public struct IgnoredPayload: Codable, Sendable {
    public init(from decoder: any Decoder) throws {}
    public func encode(to encoder: any Encoder) throws {}
}
