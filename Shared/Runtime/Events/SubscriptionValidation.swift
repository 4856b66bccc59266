import Foundation
import WebhooksAPI

/// A subscription request checked field by field, with a clear reason for the first bad one.
struct SubscriptionValidation {
    let url: String
    let eventTypesJSON: String
    let secret: String

    init(_ input: Components.Schemas.SubscriptionInput) throws {
        guard let components = URLComponents(string: input.url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            input.url.utf8.count <= 2048
        else { throw RuntimeError.invalidBody("url must be an absolute http or https URL of at most 2048 characters.") }
        guard !input.eventTypes.isEmpty, input.eventTypes.count <= 100,
            input.eventTypes.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 100 })
        else { throw RuntimeError.invalidBody("eventTypes must list 1 to 100 event types (or \"*\").") }
        if let secret = input.secret, WebhookSecret.key(of: secret) == nil {
            throw RuntimeError.invalidBody("secret must be \"whsec_\" followed by the base64 of 24 to 64 bytes.")
        }
        url = input.url
        let types = Array(Set(input.eventTypes)).sorted()
        eventTypesJSON = String(decoding: try WebhookJSON.encoder.encode(types), as: UTF8.self)
        secret = input.secret ?? WebhookSecret.generate()
    }

    /// Caller-chosen ids are short and plain, so they are safe in URLs and logs.
    static func id(_ id: String) throws -> String {
        guard (1...100).contains(id.count), id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw RuntimeError.invalidRequest("A subscription id is 1 to 100 letters, digits, '.', '_' or '-'.")
        }
        return id
    }
}

extension SubscriptionRecord {
    var wire: Components.Schemas.Subscription {
        .init(id: name, url: url, eventTypes: eventTypeList, description: description, createdAt: EpochMillis.date(millis: createdAt))
    }

    var wireWithSecret: Components.Schemas.SubscriptionWithSecret {
        .init(value1: wire, value2: .init(secret: secret))
    }
}

extension DeliveryView {
    var wire: Components.Schemas.Delivery {
        let status = JobStatus(rawValue: self.status) ?? .pending
        return .init(
            id: id, eventId: eventId, eventType: eventType, subscriptionId: subscriptionName, status: status.deliveryStatus,
            attempts: Int(attempts), nextAttemptAt: status == .pending && leaseToken == nil ? EpochMillis.date(millis: runAt) : nil,
            lastError: lastError, createdAt: EpochMillis.date(millis: createdAt),
            deliveredAt: status == .succeeded ? finishedAt.map(EpochMillis.date(millis:)) : nil)
    }
}

extension JobStatus {
    /// A delivery's status is its job's, except that a succeeded delivery is "delivered".
    var deliveryStatus: Components.Schemas.DeliveryStatus {
        switch self {
        case .pending: .pending
        case .succeeded: .delivered
        case .dead: .dead
        case .cancelled: .cancelled
        }
    }
}

extension Components.Schemas.DeliveryStatus {
    var jobStatus: JobStatus {
        switch self {
        case .pending: .pending
        case .delivered: .succeeded
        case .dead: .dead
        case .cancelled: .cancelled
        }
    }
}

extension AttemptView {
    var wire: Components.Schemas.Attempt {
        .init(number: Int(number), attemptedAt: EpochMillis.date(millis: startedAt), statusCode: code.map(Int.init),
              error: error ?? (outcome == "running" ? "in flight" : nil), durationMs: Int(durationMs ?? 0))
    }
}
