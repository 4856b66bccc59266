import AtriumRuntime
import Contracts
import Foundation

/// Everything checked before a thread is written: where, by whom, for whom, with what.
struct ThreadStartPlan: Sendable {
    var draft: ThreadDraft
    var grant: AccountGrant
    var author: Author
    var recipients: [String]
    var documents: [CatalogDocument]
    var reminders: ReminderChoice?
    /// The request's `Idempotency-Key`: a thread started with it already is answered instead.
    var requestKey: String?
}

extension ChatAPIHandler {
    /// Checks a draft for `caller` and fills it from its template: recipients (from `contacts`,
    /// the account's; nil for a contact starting a thread), mentions, attachments, reminders.
    /// `names` saves asking AccountService when the caller has them already (bulk sends).
    func plan(
        _ draft: ThreadDraft, grant: AccountGrant, contacts: [ChatContact]?, by caller: Caller,
        names: (account: String, firm: String)? = nil
    ) async throws -> ThreadStartPlan {
        var draft = draft
        let chosen = try contacts.map { try recipients(for: draft, among: $0) }
        if let templateID = draft.templateID {
            try await apply(template: templateID, to: &draft, grant: grant, recipient: chosen?.first, names: names)
        }
        try await checkMentions(draft.mentions, grant: grant, by: caller)
        let documents = try await attachments(draft.attachments, account: grant.accountID, by: caller, internal: false)
        let policy = try await directory.policy(of: grant.firmID)
        let reminders = try draft.reminders.map { try ReminderChoice(days: $0.days, count: $0.count, policy: policy) }
        return ThreadStartPlan(draft: draft, grant: grant, author: caller.author, recipients: chosen?.map(\.id) ?? [caller.subject],
                               documents: documents, reminders: reminders)
    }

    /// Writes the planned thread in `tx`: the thread, its job links, the first message, the task
    /// list and `chat.thread.created`. Answers the thread and its tasks.
    func start(_ plan: ThreadStartPlan, on tx: OutboxTransaction, id: String? = nil) async throws -> (ThreadRecord, [TaskRecord]) {
        let (draft, author, now) = (plan.draft, plan.author, clock.now())
        if let key = plan.requestKey, let started = try await store.thread(createdBy: author.id, key: key, on: tx.sql) {
            return (started, try await store.tasks(of: started.id, on: tx.sql))
        }
        var thread = ThreadRecord.new(grant: plan.grant, subject: draft.subject, by: author, at: now, reminders: plan.reminders)
        if let id { thread.id = id }
        thread.requestKey = plan.requestKey
        let tasks = draft.tasks.enumerated().map { index, text in
            TaskRecord(id: Identifier.make("tsk"), threadId: thread.id, text: text, position: Int64(index))
        }
        try await replica.record(plan.grant, on: tx.sql)
        try await store.insert(thread, recipients: plan.recipients, on: tx.sql)
        for jobID in draft.jobIDs {
            try await store.link(JobLinkRecord(threadId: thread.id, jobId: jobID, firmId: thread.firmId, accountId: thread.accountId,
                                                   linkedBy: author.id, linkedAt: now), on: tx.sql)
        }
        // Tasks first, so that the first message's event can say how many wait for the client.
        if !tasks.isEmpty {
            try await store.insert(tasks: tasks, on: tx.sql)
            thread.tasksTotal = Int64(tasks.count)
            thread.taskVersion = 1
        }
        var first: MessageRecord?
        if draft.text != nil || !plan.documents.isEmpty {
            var opening = MessageDraft(author: author, isInternal: false, text: draft.text ?? "", mentions: draft.mentions, attachments: plan.documents)
            opening.startsThread = true
            first = try await post(opening, in: &thread, at: now, on: tx)
        }
        if !tasks.isEmpty {
            var list = MessageDraft.taskList(tasks, by: author)
            list.startsThread = true
            _ = try await post(list, in: &thread, at: now, on: tx)
        }
        try await store.save(thread, on: tx.sql)
        try await tx.publish(EventTypes.chatThreadCreated, firmID: thread.firmId,
                             payload: thread.createdEvent(recipients: plan.recipients, jobIDs: draft.jobIDs, firstMessage: first?.id))
        return (thread, tasks)
    }
}
