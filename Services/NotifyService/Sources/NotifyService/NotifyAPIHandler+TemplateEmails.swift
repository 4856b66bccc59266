import AtriumRuntime
import AtriumShortcodes
import Foundation
import NotifyAPI

/// The pipeline's "send e-mail" automation: a firm's template to an account's contacts.
extension NotifyAPIHandler {
    func sendTemplateEmail(_ input: Operations.SendTemplateEmail.Input) async throws -> Operations.SendTemplateEmail.Output {
        guard case .json(let request) = input.body else { throw NotifyError.invalid("Expected a JSON body.") }
        let caller = try RequestScope.requireCaller()
        guard caller.kind != .contact else { throw NotifyError.notAllowed("Contacts do not send the firm's e-mail templates.") }
        let key = input.headers.idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 200 else { throw NotifyError.invalid("Idempotency-Key must be 1 to 200 characters.") }
        let accountID = input.path.accountId
        guard let grant = try await directory.grant(for: accountID, visibleTo: caller) else { throw NotifyError.accountNotFound(accountID) }
        let cause = "template:\(grant.firmID):\(key)"
        // The same key answers what it made the first time, and sends nothing again.
        let made = try await emails.emails(cause: cause, on: database.sql)
        if !made.isEmpty { return .created(.init(body: .json(.init(items: made.map(\.wire))))) }
        let template = try await visibleTemplate(request.templateId, caller)
        guard template.firmId == grant.firmID else { throw NotifyError.templateNotFound(request.templateId) }
        guard let audience = try await people.audience(account: accountID, memberIDs: []) else { throw NotifyError.accountNotFound(accountID) }
        let now = clock.now()
        let records = audience.contacts.map { contact in
            let context = ShortcodeContext(accountName: audience.accountName, contactFirstName: contact.firstName, contactLastName: contact.lastName,
                                           firmName: audience.firmName, jobName: request.jobName, now: EpochMillis.date(millis: now))
            let subject = Shortcodes.render(template.subject, context, keepEscaped: false) { $0.replacingOccurrences(of: "\n", with: " ") }
            let body = Shortcodes.render(template.body, context, keepEscaped: false) { $0 }
            return EmailRecord(cause: cause, firmID: grant.firmID, kind: .template, to: MailAddress(name: contact.name, email: contact.email),
                               recipientID: contact.id, content: composer.templated(subject: subject, body: body, to: contact, audience: audience),
                               domain: mailDomain, at: now)
        }
        let (store, attempts) = (emails, composer.settings.maxAttempts)
        try await outbox.transaction { tx in
            for record in records { try await EmailSendJob.queue(record, store: store, maxAttempts: attempts, on: tx) }
        }
        return .created(.init(body: .json(.init(items: try await emails.emails(cause: cause, on: database.sql).map(\.wire)))))
    }
}
