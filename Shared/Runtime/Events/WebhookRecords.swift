import Contracts
import Foundation

/// Who a subscription belongs to: Atrium's services share one owner; each firm is its own.
enum SubscriptionOwner {
    static let atrium = "atrium"

    static func firm(_ id: String) -> String { "firm:\(id)" }

    /// The stored key of subscription `name` of `owner`: owners never collide on a name.
    static func key(_ owner: String, _ name: String) -> String { "\(owner)/\(name)" }
}

/// Rows of the webhook tables, as stored.
struct SubscriptionRecord: Codable, Sendable {
    /// `<owner>/<name>`.
    var id: String
    var firmId: String?
    var owner: String
    /// The id the owner chose (or was given), as the API shows it.
    var name: String
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

    /// Whether this subscription receives an event of `firm` (nil: a deployment-wide event).
    func receives(firm: String?) -> Bool {
        owner == SubscriptionOwner.atrium || firm.map { owner == SubscriptionOwner.firm($0) } ?? false
    }

    /// Whether an event of `type` may reach this subscription at all: internal events go to
    /// Atrium's services only, whatever a firm's subscription asks for.
    func mayReceive(_ type: String) -> Bool {
        owner == SubscriptionOwner.atrium || !EventTypes.internalOnly.contains(type)
    }
}

/// A delivery with the state of its job, as the API shows it.
struct DeliveryView: Codable, Sendable {
    var id: String
    var eventId: String
    var eventType: String
    /// `<owner>/<name>` of the subscription.
    var subscriptionId: String
    var owner: String
    var createdAt: Int64
    var status: String
    var attempts: Int64
    var runAt: Int64
    var leaseToken: String?
    var lastError: String?
    var finishedAt: Int64?

    var subscriptionName: String {
        subscriptionId.split(separator: "/", maxSplits: 1).last.map(String.init) ?? subscriptionId
    }
}

struct AttemptView: Codable, Sendable {
    var number: Int64
    var startedAt: Int64
    var outcome: String
    var code: Int64?
    var error: String?
    var durationMs: Int64?
}

/// One claimed delivery with everything needed to send it.
struct DeliveryTarget: Decodable, Sendable {
    var eventId: String
    var owner: String
    var url: String
    var secret: String
    var body: String
    /// The trace of the request that published the event, if any.
    var traceparent: String?
}

/// The (empty) payload of a delivery job: the job's id is the delivery's.
struct DeliveryJobPayload: Codable, Sendable {}
