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

/// Writes notices where each person hears of them: Inbox+, e-mail, or both.
struct NoticeDelivery: Sendable {
    let inbox: InboxStore
    let emails: EmailStore
    let preferences: PreferenceStore
    let composer: EmailComposer
    /// The domain of Message-IDs.
    let domain: String
    let clock: any JobClock
    let hub: InboxHub

    func deliver(_ notices: [Notice], audience: Audience, cause: String, firmID: String, on tx: OutboxTransaction) async throws {
        let members = notices.filter { $0.recipient.kind == .member }.map(\.recipient.id)
        let chosen = try await preferences.chosen(by: members, on: tx.sql)
        let now = clock.now()
        // Contacts are told in both places while their notify flag is on (else they are not in the audience at all).
        let channels = notices.map { notice in
            notice.recipient.kind == .contact ? .both : chosen[notice.recipient.id]?[notice.kind] ?? Channel.memberDefault(for: notice.kind)
        }
        let numbers = try await inbox.bump(Set(zip(notices, channels).filter { $0.1.inbox }.map(\.0.recipient.id)), on: tx.sql)
        for (notice, channel) in zip(notices, channels) {
            if channel.inbox {
                var item = InboxItemRecord(notice, cause: cause, firmID: firmID, link: composer.settings.link(thread: notice.threadID), at: now)
                item.seq = numbers[notice.recipient.id]
                _ = try await inbox.insert(item, on: tx.sql)
            }
            if channel.email {
                let email = EmailRecord(cause: cause, firmID: firmID, kind: notice.kind,
                                        to: MailAddress(name: notice.recipient.name, email: notice.recipient.email),
                                        recipientID: notice.recipient.id, content: composer.render(notice, audience: audience),
                                        domain: domain, at: now)
                try await EmailSendJob.queue(email, store: emails, maxAttempts: composer.settings.maxAttempts, on: tx)
            }
        }
    }
}
