import Foundation

/// Rows of the webhook tables, as stored.
struct SubscriptionRecord: Codable, Sendable {
    var id: String
    var firmId: String?
    var url: String
    /// JSON array of event types; `*` matches every type.
    var eventTypes: String
    var secret: String
    var description: String?
    var createdAt: Int64
    var updatedAt: Int64

    var eventTypeList: [String] {
        (try? WebhookJSON.decoder.decode([String].self, from: Data(eventTypes.utf8))) ?? []
    }

    func wants(_ type: String) -> Bool {
        eventTypeList.contains { $0 == "*" || $0 == type }
    }
}

struct DeliveryRecord: Codable, Sendable {
    var id: String
    var eventId: String
    var eventType: String
    var firmId: String?
    var subscriptionId: String
    var status: String
    var attempts: Int64
    var attemptBudget: Int64
    var nextAttemptAt: Int64?
    var leaseUntil: Int64?
    var lastError: String?
    var createdAt: Int64
    var deliveredAt: Int64?
}

struct AttemptRecord: Codable, Sendable {
    var deliveryId: String
    var number: Int64
    var attemptedAt: Int64
    var statusCode: Int64?
    var error: String?
    var durationMs: Int64
}

/// One claimed delivery with everything needed to send it.
struct DeliveryJob: Sendable {
    var deliveryID: String
    var eventID: String
    var url: String
    var secret: String
    var body: String
    /// The trace of the request that published the event, if any.
    var traceparent: String?
    var attempts: Int64
    var attemptBudget: Int64
}

/// The outcome of one attempt.
struct AttemptOutcome: Sendable {
    var statusCode: Int?
    var error: String?
    var durationMs: Int64
    var succeeded: Bool { statusCode.map { (200..<300).contains($0) } ?? false }
    /// What went wrong, for `last_error`; nil on success.
    var failure: String? {
        guard !succeeded else { return nil }
        return error ?? statusCode.map { "HTTP \($0)" } ?? "unknown error"
    }
}

enum DeliveryStatus: String {
    case pending
    case delivered
    case dead
}
