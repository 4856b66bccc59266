import AtriumRuntime
import ChatAPI
import Foundation
import OpenAPIRuntime
import SQLKit

/// The pipeline's "send message" automation (SPEC "Pipelines", type 8).
extension ChatAPIHandler {
    func sendJobMessage(_ input: Operations.SendJobMessage.Input) async throws -> Operations.SendJobMessage.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        guard caller.kind != .contact else { throw ChatError.notAllowed("Automations are the firm's.") }
        let jobID = input.path.jobId
        guard Identifier.isWellFormed(jobID, prefix: "job") else { throw ChatError.invalid("\(jobID.debugDescription) is not a job id.") }
        let draft = try ThreadDraft(.init(
            accountId: body.accountId, subject: body.subject, text: body.text, jobIds: [jobID], tasks: body.tasks,
            reminders: body.reminders, templateId: body.templateId, jobName: body.jobName), checkingContent: false)
        guard let grant = try await directory.grant(for: draft.accountID, visibleTo: caller) else { throw ChatError.accountNotFound(draft.accountID) }
        guard let contacts = try await people.contacts(of: grant.accountID) else { throw ChatError.accountNotFound(grant.accountID) }
        if body.mode == .replyLatest, let latest = try await store.latestThread(job: jobID, account: grant.accountID, on: database.sql) {
            return .created(.init(body: .json(try await reply(in: latest, draft: draft, grant: grant, contacts: contacts, by: caller,
                                                              key: input.headers.idempotencyKey))))
        }
        if draft.templateID == nil { try draft.checkContent() }
        var plan = try await plan(draft, grant: grant, contacts: contacts, by: caller)
        plan.requestKey = input.headers.idempotencyKey
        let (thread, _) = try await outbox.transaction { [plan] tx in try await start(plan, on: tx) }
        return .created(.init(body: .json(.init(jobId: jobID, threadId: thread.id, messageId: thread.lastPublicMessageId, createdThread: true))))
    }

    /// Replies in `thread`: the template's body (or the text) as a message, its tasks added to the
    /// thread's list, reminders from the request or the template, all in one transaction.
    private func reply(
        in thread: ThreadRecord, draft: ThreadDraft, grant: AccountGrant, contacts: [ChatContact], by caller: Caller, key: String?
    ) async throws -> Components.Schemas.JobMessageResult {
        var draft = draft
        let recipients = try await store.recipients(of: thread.id, on: database.sql)
        if let templateID = draft.templateID {
            draft.subject = thread.subject
            try await apply(template: templateID, to: &draft, grant: grant, recipient: contacts.first { recipients.contains($0.id) })
        }
        guard let text = draft.text else { throw ChatError.invalid("A reply needs text or a template with a body.") }
        let policy = try await directory.policy(of: grant.firmID)
        let reminders = try draft.reminders.map { try ReminderChoice(days: $0.days, count: $0.count, policy: policy) }
        let (tasks, author, store) = (draft.tasks, caller.author, self.store)
        let message = try await outbox.transaction { tx in
            var locked = try await locked(thread.id, on: tx)
            if let key, let posted = try await store.message(thread: thread.id, author: author.id, key: key, on: tx.sql) { return posted }
            if let reminders { locked.setReminders(days: reminders.days, count: reminders.count) }
            if locked.isArchived { locked.setArchived(false, at: clock.now()) }
            let message = try await post(MessageDraft(author: author, isInternal: false, text: text, requestKey: key), in: &locked,
                                         at: clock.now(), on: tx)
            try await store.save(locked, on: tx.sql)
            if !tasks.isEmpty { _ = try await changeTasks(of: locked, by: author, on: tx, Self.appending(tasks, store: store)) }
            return message
        }
        return .init(jobId: draft.jobIDs.first ?? "", threadId: thread.id, messageId: message.id, createdThread: false)
    }
}

extension ThreadStore {
    /// The most recently started thread of `accountID` linked to the job.
    func latestThread(job jobID: String, account accountID: String, on db: any SQLDatabase) async throws -> ThreadRecord? {
        try await db.raw("""
            SELECT t.* FROM threads t JOIN thread_jobs j ON j.thread_id = t.id
            WHERE j.job_id = \(bind: jobID) AND t.account_id = \(bind: accountID)
            ORDER BY t.created_at DESC, t.id DESC LIMIT 1
            """).first(decoding: ThreadRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }
}
