import AtriumRuntime
import Foundation
import Logging
import SQLKit

/// Turns one heard event into notifications: asks AccountService who may hear about the account
/// now, applies the rules and each team member's preferences, and writes the inbox items and the
/// e-mails (each with its sending job) in one transaction. Keyed by the event's webhook id, so an
/// event heard twice, or a job run twice, tells nobody twice.
struct FanoutJob: Sendable {
    static let kind = JobKind<Payload>("notify.fanout", maxAttempts: 30)

    struct Payload: Codable, Sendable {
        /// The event's `webhook-id`: the cause of everything it makes.
        var cause: String
        var type: String
        /// The webhook body as received (it carries no secret).
        var body: String
    }

    let outbox: Outbox
    let directory: any NotifyDirectory
    let delivery: NoticeDelivery

    func run(_ payload: Payload) async throws -> JobResult {
        guard let event = try ChatEvent.decode(type: payload.type, body: Data(payload.body.utf8)) else {
            return .cancelled("NotifyService does not act on \(payload.type).")
        }
        guard let audience = try await directory.audience(account: event.accountID, memberIDs: event.memberIDs) else {
            return .cancelled("The account is gone.")
        }
        let notices = ChatNoticeRules.notices(for: event, audience: audience)
        guard !notices.isEmpty else { return .succeeded() }
        let delivery = self.delivery
        try await outbox.transaction { tx in
            try await delivery.deliver(notices, audience: audience, cause: payload.cause, firmID: event.firmID, on: tx)
        }
        delivery.hub.wake()
        return .succeeded()
    }

    func handlers(policy: JobRetryPolicy) -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register(Self.kind, policy: policy) { _, payload in try await run(payload) }
        return handlers
    }
}
