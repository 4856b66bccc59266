import AtriumRuntime
import Foundation
import NotifyAPI

/// A row of `emails`: one e-mail to one address, and how sending it went.
struct EmailRecord: Codable, Sendable, Equatable {
    enum Status: String, Sendable {
        /// No SMTP server is configured: kept until the service starts with one.
        case held
        case queued
        case sent
        case failed
    }

    var id: String
    var cause: String
    var firmId: String
    var kind: String
    var recipientId: String?
    var toAddress: String
    var toName: String?
    var subject: String
    var textBody: String
    var htmlBody: String
    /// For an invitation: the link is fetched when sending, and replaces `EmailComposer.linkMarker`.
    var invitationId: String?
    var messageId: String
    var status: String
    var attempts: Int64
    var lastError: String?
    var jobId: String?
    var createdAt: Int64
    var sentAt: Int64?
    var nextAttemptAt: Int64?

    init(cause: String, firmID: String, kind: NoticeKind, to: MailAddress, recipientID: String?, content: EmailContent,
         invitationID: String? = nil, domain: String, at millis: Int64) {
        id = Identifier.make("eml")
        self.cause = cause
        firmId = firmID
        self.kind = kind.rawValue
        recipientId = recipientID
        toAddress = to.email
        toName = to.name
        subject = content.subject
        textBody = content.text
        htmlBody = content.html
        invitationId = invitationID
        messageId = "\(id)@\(domain)"
        status = Status.queued.rawValue
        attempts = 0
        createdAt = millis
    }

    var wire: Components.Schemas.Email {
        .init(id: id, kind: .init(rawValue: kind) ?? .message, to: [toAddress], subject: subject,
              status: .init(rawValue: status) ?? .queued, attempts: Int(attempts), lastError: lastError, messageId: messageId,
              createdAt: EpochMillis.date(millis: createdAt), sentAt: sentAt.map { EpochMillis.date(millis: $0) },
              nextAttemptAt: nextAttemptAt.map { EpochMillis.date(millis: $0) })
    }
}

/// An e-mail's subject and both parts.
struct EmailContent: Sendable, Equatable {
    var subject: String
    var text: String
    var html: String
}
