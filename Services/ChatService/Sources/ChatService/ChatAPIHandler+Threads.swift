import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import OpenAPIRuntime

extension ChatAPIHandler {
    func createThread(_ input: Operations.CreateThread.Input) async throws -> Operations.CreateThread.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        var filled = try ThreadDraft(body)
        let grant = try await startableGrant(filled, caller: caller)
        let contacts = caller.kind == .contact ? [] : try await recipients(for: filled)
        let recipients = caller.kind == .contact ? [caller.subject] : contacts.map(\.id)
        if let templateID = filled.templateID {
            try await apply(template: templateID, to: &filled, grant: grant, recipient: contacts.first)
        }
        try await checkMentions(filled.mentions, grant: grant, by: caller)
        let documents = try await attachments(filled.attachments, account: grant.accountID, by: caller, internal: false)
        let draft = filled
        let policy = try await directory.policy(of: grant.firmID)
        let reminders = try draft.reminders.map { try ReminderChoice(days: $0.days, count: $0.count, policy: policy) }
        let now = clock.now()
        let new = ThreadRecord.new(grant: grant, subject: draft.subject, by: caller.author, at: now, reminders: reminders)
        let tasks = draft.tasks.enumerated().map { index, text in
            TaskRecord(id: Identifier.make("tsk"), threadId: new.id, text: text, position: Int64(index))
        }
        let (replica, store) = (self.replica, self.store)
        let created = try await outbox.transaction { tx in
            var thread = new
            try await replica.record(grant, on: tx.sql)
            try await store.insert(thread, recipients: recipients, on: tx.sql)
            for jobID in draft.jobIDs {
                _ = try await store.link(JobLinkRecord(threadId: thread.id, jobId: jobID, firmId: thread.firmId, accountId: thread.accountId,
                                                       linkedBy: caller.subject, linkedAt: now), on: tx.sql)
            }
            var first: MessageRecord?
            if draft.text != nil || !documents.isEmpty {
                first = try await post(MessageDraft(author: caller.author, isInternal: false, text: draft.text ?? "", mentions: draft.mentions,
                                                    attachments: documents), in: &thread, at: now, on: tx)
            }
            if !tasks.isEmpty {
                try await store.insert(tasks: tasks, on: tx.sql)
                thread.tasksTotal = Int64(tasks.count)
                thread.taskVersion = 1
                _ = try await post(.taskList(tasks, by: caller.author), in: &thread, at: now, on: tx)
            }
            try await store.save(thread, on: tx.sql)
            try await tx.publish(EventTypes.chatThreadCreated, firmID: thread.firmId,
                                 payload: thread.createdEvent(recipients: recipients, jobIDs: draft.jobIDs, firstMessage: first?.id))
            return thread
        }
        let last = try await store.messages(ids: [created.lastMessageID(for: caller.viewer)].compactMap { $0 }, on: database.sql).first
        return .created(.init(body: .json(created.wire(tasks: tasks, recipients: recipients, viewer: caller.viewer,
                                                       read: (created.messageCount, created.publicCount), last: last))))
    }

    /// The account's grant when the caller may start a thread there (SPEC "Chats": who can start a thread).
    private func startableGrant(_ draft: ThreadDraft, caller: Caller) async throws -> AccountGrant {
        guard let grant = try await directory.grant(for: draft.accountID, visibleTo: caller) else {
            throw ChatError.accountNotFound(draft.accountID)
        }
        if caller.kind == .contact {
            guard try await directory.policy(of: grant.firmID).clientsMayStartChats else {
                throw ChatError.notAllowed("This firm lets clients reply to its threads but not start new ones.")
            }
            guard draft.tasks.isEmpty else { throw ChatError.notAllowed("Only the firm sets client tasks.") }
            guard draft.recipientIDs == nil, draft.jobIDs.isEmpty, draft.reminders == nil, draft.templateID == nil else {
                throw ChatError.notAllowed("A client's thread is with the firm: recipients, job links, reminders and templates are the firm's.")
            }
        }
        for jobID in draft.jobIDs where !Identifier.isWellFormed(jobID, prefix: "job") {
            throw ChatError.invalid("jobIds holds \(jobID.debugDescription), which is not a job id.")
        }
        return grant
    }

    func getThread(_ input: Operations.GetThread.Input) async throws -> Operations.GetThread.Output {
        let visible = try await visibleThread(input.path.threadId)
        return .ok(.init(body: .json(try await wire(visible.thread, for: visible.viewer))))
    }

    /// The whole thread as `viewer` sees it, read from storage.
    func wire(_ thread: ThreadRecord, for viewer: Viewer) async throws -> Components.Schemas.Thread {
        let db = database.sql
        let last = try await store.messages(ids: [thread.lastMessageID(for: viewer)].compactMap { $0 }, on: db).first
        return thread.wire(tasks: try await store.tasks(of: thread.id, on: db), recipients: try await store.recipients(of: thread.id, on: db),
                           viewer: viewer, read: try await store.readCounts(thread: thread.id, reader: viewer.id, on: db), last: last)
    }

    func archiveThread(_ input: Operations.ArchiveThread.Input) async throws -> Operations.ArchiveThread.Output {
        .ok(.init(body: .json(try await setStatus(input.path.threadId, archived: true))))
    }

    func reopenThread(_ input: Operations.ReopenThread.Input) async throws -> Operations.ReopenThread.Output {
        .ok(.init(body: .json(try await setStatus(input.path.threadId, archived: false))))
    }

    /// Archives or reopens the thread (the team only); the same status again changes nothing.
    private func setStatus(_ id: String, archived: Bool) async throws -> Components.Schemas.Thread {
        let visible = try await teamThread(id, archived ? "Only the team archives threads." : "Only the team reopens threads.")
        let store = self.store
        let thread = try await outbox.transaction { tx in
            var thread = try await locked(id, on: tx)
            guard thread.isArchived != archived else { return thread }
            let now = clock.now()
            thread.setArchived(archived, at: now)
            // SPEC: reopening re-arms reminders as if the last message were new.
            if archived { thread.stopReminders() } else { try await armReminders(&thread, from: now, on: tx) }
            try await store.save(thread, on: tx.sql)
            try await live.append(thread.update("thread.status", thread.listChange, for: .everyone), on: tx.sql)
            try await tx.publish(archived ? EventTypes.chatThreadArchived : EventTypes.chatThreadReopened, firmID: thread.firmId,
                                 payload: thread.statusEvent(actor: visible.caller.author, at: now))
            return thread
        }
        return try await wire(thread, for: visible.viewer)
    }
}

extension ThreadRecord {
    /// A new, empty, active thread.
    static func new(grant: AccountGrant, subject: String, by author: Author, at millis: Int64, reminders: ReminderChoice? = nil) -> ThreadRecord {
        var thread = ThreadRecord(
            id: Identifier.make("thr"), firmId: grant.firmID, accountId: grant.accountID, subject: subject, status: ThreadStatus.active,
            createdBy: author.id, createdByKind: author.kind, createdAt: millis, lastActivityAt: millis, lastPublicAt: millis,
            messageCount: 0, publicCount: 0, tasksTotal: 0, tasksDone: 0, taskVersion: 0, remindersSent: 0)
        thread.setReminders(days: reminders?.days, count: reminders?.count)
        return thread
    }

    mutating func setArchived(_ archived: Bool, at millis: Int64) {
        status = archived ? ThreadStatus.archived : ThreadStatus.active
        archivedAt = archived ? millis : nil
    }
}
