import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import OpenAPIRuntime

extension ChatAPIHandler {
    func createThread(_ input: Operations.CreateThread.Input) async throws -> Operations.CreateThread.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let draft = try ThreadDraft(body)
        let grant = try await startableGrant(draft, caller: caller)
        var contacts: [ChatContact]?
        if caller.kind != .contact {
            guard let known = try await people.contacts(of: grant.accountID) else { throw ChatError.accountNotFound(grant.accountID) }
            contacts = known
        }
        var plan = try await plan(draft, grant: grant, contacts: contacts, by: caller)
        plan.requestKey = input.headers.idempotencyKey
        let (created, tasks) = try await outbox.transaction { [plan] tx in try await start(plan, on: tx) }
        let last = try await store.messages(ids: [created.lastMessageID(for: caller.viewer)].compactMap { $0 }, on: database.sql).first
        let recipients = try await store.recipients(of: created.id, on: database.sql)
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
