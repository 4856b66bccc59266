import AccountAPI
import AtriumRuntime
import Contracts
import Foundation
import NotifyAPI
import OpenAPIRuntime

/// The producers' signed events. Each is recorded once (by its `webhook-id`) together with the
/// work it asks for, so a redelivery changes nothing.
extension NotifyAPIHandler {
    func receiveChatEvent(_ input: NotifyAPI.Operations.ReceiveChatEvent.Input) async throws -> NotifyAPI.Operations.ReceiveChatEvent.Output {
        guard case .any(let stream) = input.body else { throw NotifyError.invalid("Expected a body.") }
        try await fanOut(chatInbox, id: input.headers.webhookId, timestamp: input.headers.webhookTimestamp,
                         signature: input.headers.webhookSignature, stream: stream)
        return .noContent(.init())
    }

    /// PipelineService's reminders of unfinished client items: fanned out like ChatService's events.
    func receivePipelineEvent(_ input: NotifyAPI.Operations.ReceivePipelineEvent.Input) async throws -> NotifyAPI.Operations.ReceivePipelineEvent.Output {
        guard case .any(let stream) = input.body else { throw NotifyError.invalid("Expected a body.") }
        try await fanOut(pipelineInbox, id: input.headers.webhookId, timestamp: input.headers.webhookTimestamp,
                         signature: input.headers.webhookSignature, stream: stream)
        return .noContent(.init())
    }

    /// Records the event in `inbox` with its fan-out job, in one transaction.
    private func fanOut(_ inbox: WebhookInbox, id: String, timestamp: String, signature: String, stream: HTTPBody) async throws {
        let now = clock.now()
        let receipt = try await inbox.receive(id: id, timestamp: timestamp, signature: signature, stream: stream) { tx, type, body in
            // Checked now, so a body that does not fit is the producer's 400, not a job failing for ever.
            guard try Self.checked(type: type, body: body) else { return }
            // Who hears is asked of AccountService outside this transaction: the fan-out is a job.
            try await JobQueue.enqueue(FanoutJob.kind, FanoutJob.Payload(cause: id, type: type, body: String(decoding: body, as: UTF8.self)),
                                       runAt: now, uniqueKey: "fanout:\(id)", in: tx)
        }
        if receipt == .applied { outbox.signal.notify() }
    }

    func receiveInvitationEvent(_ input: NotifyAPI.Operations.ReceiveInvitationEvent.Input) async throws -> NotifyAPI.Operations.ReceiveInvitationEvent.Output {
        guard case .any(let stream) = input.body else { throw NotifyError.invalid("Expected a body.") }
        let id = input.headers.webhookId
        let composer = self.composer
        let emails = self.emails
        let domain = mailDomain
        let now = clock.now()
        let receipt = try await accountInbox.receive(
            id: id, timestamp: input.headers.webhookTimestamp, signature: input.headers.webhookSignature, stream: stream
        ) { tx, type, body in
            guard type == EventTypes.accountInvitationCreated else { return }
            let invitation: AccountAPI.Components.Schemas.InvitationEvent
            do {
                invitation = try WebhookEnvelope<AccountAPI.Components.Schemas.InvitationEvent>.decode(body).data
            } catch {
                throw RuntimeError.invalidBody("The \(type) payload does not match its schema.")
            }
            let content = composer.invitation(firstName: invitation.firstName, firm: invitation.firmName, kind: invitation.kind.rawValue,
                                              expires: invitation.expiresAt)
            let name = "\(invitation.firstName) \(invitation.lastName)".trimmingCharacters(in: .whitespaces)
            let email = EmailRecord(cause: id, firmID: invitation.firmId, kind: .invitation,
                                    to: MailAddress(name: name.isEmpty ? nil : name, email: invitation.email),
                                    recipientID: invitation.subjectId, content: content, invitationID: invitation.invitationId,
                                    domain: domain, at: now)
            try await EmailSendJob.queue(email, store: emails, maxAttempts: composer.settings.maxAttempts, on: OutboxTransaction(sql: tx))
        }
        if receipt == .applied { outbox.signal.notify() }
        return .noContent(.init())
    }

    /// Whether NotifyService acts on a chat event of `type`; a 400 when its payload does not fit.
    static func checked(type: String, body: Data) throws -> Bool {
        do {
            return try ChatEvent.decode(type: type, body: body) != nil
        } catch {
            throw RuntimeError.invalidBody("The \(type) payload does not match its schema.")
        }
    }
}
