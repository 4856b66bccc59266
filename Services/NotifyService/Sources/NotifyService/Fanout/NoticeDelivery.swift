import AtriumRuntime
import Foundation
import SQLKit

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
    let digests: DigestStore

    func deliver(_ notices: [Notice], audience: Audience, cause: String, firmID: String, on tx: OutboxTransaction) async throws {
        let members = notices.filter { $0.recipient.kind == .member }.map(\.recipient.id)
        let chosen = try await preferences.chosen(by: members, on: tx.sql)
        let digesting = try await digests.digesting(members, on: tx.sql)
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
            if channel.email, digesting.contains(notice.recipient.id) {
                // Kept for the member's daily digest instead of an e-mail now.
                try await digests.add(DigestStore.Entry(
                    id: Identifier.make("dge"), cause: cause, firmId: firmID, memberId: notice.recipient.id, email: notice.recipient.email,
                    name: notice.recipient.name, kind: notice.kind.rawValue, title: notice.title, summary: notice.summary,
                    link: composer.settings.link(thread: notice.threadID), createdAt: now), on: tx.sql)
            } else if channel.email {
                let email = EmailRecord(cause: cause, firmID: firmID, kind: notice.kind,
                                        to: MailAddress(name: notice.recipient.name, email: notice.recipient.email),
                                        recipientID: notice.recipient.id, content: composer.render(notice, audience: audience),
                                        domain: domain, at: now)
                try await EmailSendJob.queue(email, store: emails, maxAttempts: composer.settings.maxAttempts, on: tx)
            }
        }
    }
}
