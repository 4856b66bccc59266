import AtriumRuntime
import Foundation
import Logging

/// Sends one e-mail. The row says whether it went; a retry after a crash sends what is not marked
/// sent. A crash after the server took the message but before the row says so sends it again with
/// the same Message-ID, the one duplicate SMTP cannot rule out (DECISIONS.md).
struct EmailSendJob: Sendable {
    static let kind = JobKind<Payload>("notify.email.send", maxAttempts: 10)

    struct Payload: Codable, Sendable {
        var emailId: String
    }

    let database: Database
    let store: EmailStore
    let composer: EmailComposer
    let directory: any NotifyDirectory
    /// Nil without `smtp.url`: e-mails are then held, never dropped.
    let mailer: (any Mailer)?
    let from: MailAddress?
    let connections: SMTPConnections
    let logger: Logger

    /// Writes `email` and its sending job in `tx` (nothing when its cause already wrote to that address),
    /// due at the e-mail's creation on the service's job clock.
    static func queue(_ email: EmailRecord, store: EmailStore, maxAttempts: Int? = nil, on tx: OutboxTransaction) async throws {
        guard try await store.insert(email, on: tx.sql) else { return }
        if let job = try await tx.enqueue(kind, Payload(emailId: email.id), runAt: email.createdAt, uniqueKey: "email:\(email.id)",
                                          maxAttempts: maxAttempts) {
            try await store.setJob(email.id, job: job, on: tx.sql)
        }
    }

    func run(_ job: ClaimedJob, _ payload: Payload) async throws -> JobResult {
        guard let email = try await store.email(payload.emailId, on: database.sql) else { return .cancelled("The e-mail is gone.") }
        guard email.status == EmailRecord.Status.queued.rawValue || email.status == EmailRecord.Status.held.rawValue else {
            return .succeeded()
        }
        guard let mailer, let from else {
            try await store.record(email.id, status: .held, attempts: email.attempts, error: "No SMTP server is configured (smtp.url).",
                                   on: database.sql)
            return .succeeded()
        }
        var content = EmailContent(subject: email.subject, text: email.textBody, html: email.htmlBody)
        if let invitation = email.invitationId {
            guard let token = try await directory.invitationToken(invitation) else {
                try await store.record(email.id, status: .failed, attempts: job.attempt, error: "The invitation was used, replaced or has expired.",
                                       on: database.sql)
                return .cancelled("The invitation is no longer pending.")
            }
            content = composer.withInvitationLink(content, token: token)
        }
        let mail = OutgoingMail(from: from, to: [MailAddress(name: email.toName, email: email.toAddress)], subject: content.subject,
                                text: content.text, html: content.html, messageID: email.messageId,
                                date: EpochMillis.date(millis: email.createdAt))
        do {
            // Recorded as sent the moment the server took it, before the connection is handed back.
            let (store, database) = (self.store, self.database)
            try await connections.run {
                try await mailer.send(mail)
                try await store.record(email.id, status: .sent, attempts: job.attempt, error: nil, sentAt: EpochMillis.now(), on: database.sql)
            }
            return .succeeded()
        } catch MailError.permanent(let why) {
            try await store.record(email.id, status: .failed, attempts: job.attempt, error: why, on: database.sql)
            return .dead(why)
        } catch {
            let why = (error as? MailError).map { if case .temporary(let text) = $0 { text } else { "\($0)" } } ?? "The SMTP server could not be reached."
            let spent = job.attempt >= job.maxAttempts
            try await store.record(email.id, status: spent ? .failed : .queued, attempts: job.attempt, error: why, on: database.sql)
            logger.warning("E-mail not sent yet", metadata: ["email": "\(email.id)", "attempt": "\(job.attempt)", "error": "\(why)"])
            return spent ? .dead(why) : .failed(why)
        }
    }

    func handlers(policy: JobRetryPolicy) -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register(Self.kind, policy: policy) { job, payload in try await run(job, payload) }
        return handlers
    }

    /// Queues every held e-mail again, once a mailer is configured (at start-up).
    static func release(store: EmailStore, outbox: Outbox, maxAttempts: Int, clock: any JobClock) async throws {
        while true {
            let released = try await outbox.transaction { tx in
                let ids = try await store.held(limit: 500, on: tx.sql)
                for id in ids {
                    try await store.record(id, status: .queued, attempts: 0, error: nil, on: tx.sql)
                    if let job = try await tx.enqueue(kind, Payload(emailId: id), runAt: clock.now(), maxAttempts: maxAttempts) { try await store.setJob(id, job: job, on: tx.sql) }
                }
                return ids.count
            }
            if released < 500 { return }
        }
    }
}
