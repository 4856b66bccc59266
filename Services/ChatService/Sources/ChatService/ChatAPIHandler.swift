import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import OpenAPIRuntime

/// ChatService's routes: threads and their client tasks.
struct ChatAPIHandler: APIProtocol {
    let outbox: Outbox
    let threads: any ThreadRepository
    /// Who may see which account, answered from the local cache.
    let directory: any AccountDirectory

    func createThread(_ input: Operations.CreateThread.Input) async throws -> Operations.CreateThread.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let draft = try ThreadDraft(body)
        let firmID = try await startableAccountFirm(draft, caller: caller)
        let now = EpochMillis.now()
        let thread = ThreadRecord(
            id: Identifier.make("thr"), firmId: firmID, accountId: draft.accountID, subject: draft.subject,
            status: "active", createdBy: caller.subject, createdAt: now)
        let tasks = draft.tasks.enumerated().map { index, text in
            TaskRecord(id: Identifier.make("tsk"), threadId: thread.id, text: text, position: Int64(index), doneAt: nil, doneBy: nil)
        }
        try await outbox.transaction { tx in
            try await threads.insert(thread, tasks: tasks, on: tx.sql)
        }
        return .created(.init(body: .json(thread.wire(tasks: tasks))))
    }

    /// The firm of the draft's account when the caller may start a thread there (SPEC "Chats": who can start a thread).
    private func startableAccountFirm(_ draft: ThreadDraft, caller: Caller) async throws -> String {
        guard let grant = try await directory.grant(for: draft.accountID, visibleTo: caller) else {
            throw ChatError.accountNotFound(draft.accountID)
        }
        if caller.kind == .contact {
            guard try await directory.policy(of: grant.firmID).clientsMayStartChats else {
                throw ChatError.notAllowed("This firm lets clients reply to its threads but not start new ones.")
            }
            guard draft.tasks.isEmpty else { throw ChatError.notAllowed("Only the firm sets client tasks.") }
        }
        return grant.firmID
    }

    /// The thread, when the caller may see its account; 404 otherwise.
    private func visibleThread(_ id: String) async throws -> ThreadRecord {
        let caller = try RequestScope.requireCaller()
        guard let thread = try await threads.find(id, on: outbox.database.sql),
            try await directory.allows(caller, account: thread.accountId, firm: thread.firmId) else {
            throw ChatError.threadNotFound(id)
        }
        return thread
    }

    func getThread(_ input: Operations.GetThread.Input) async throws -> Operations.GetThread.Output {
        let thread = try await visibleThread(input.path.threadId)
        let db = outbox.database.sql
        return .ok(.init(body: .json(thread.wire(tasks: try await threads.tasks(of: thread.id, on: db)))))
    }

    func updateTask(_ input: Operations.UpdateTask.Input) async throws -> Operations.UpdateTask.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let threadID = try await visibleThread(input.path.threadId).id
        let taskID = input.path.taskId
        let threads = self.threads
        let wire = try await outbox.transaction { tx in
            guard let thread = try await threads.lock(threadID, on: tx.sql) else { throw ChatError.threadNotFound(threadID) }
            let before = try await threads.tasks(of: thread.id, on: tx.sql)
            guard let task = before.first(where: { $0.id == taskID }) else { throw ChatError.taskNotFound(taskID) }
            let now = EpochMillis.now()
            var after = before
            if task.isDone != body.done, let index = after.firstIndex(where: { $0.id == taskID }) {
                try await threads.setTask(taskID, done: body.done, by: caller.subject, at: now, on: tx.sql)
                after[index].doneAt = body.done ? now : nil
                after[index].doneBy = body.done ? caller.subject : nil
            }
            if TaskProgress(before).isComplete == false, TaskProgress(after).isComplete {
                try await tx.publish(EventTypes.chatThreadTasksCompleted, firmID: thread.firmId,
                                     payload: thread.tasksCompletedEvent(tasks: after, at: now))
            }
            return thread.wire(tasks: after)
        }
        return .ok(.init(body: .json(wire)))
    }
}

/// Completed and total tasks of a thread.
struct TaskProgress {
    let completed: Int
    let total: Int

    init(_ tasks: [TaskRecord]) {
        completed = tasks.count(where: \.isDone)
        total = tasks.count
    }

    /// A thread with no tasks is never "complete": it asks nothing of the client.
    var isComplete: Bool { total > 0 && completed == total }
}

/// A validated request to start a thread.
struct ThreadDraft {
    let accountID: String
    let subject: String
    let tasks: [String]

    init(_ input: Components.Schemas.ThreadInput) throws {
        accountID = input.accountId.trimmingCharacters(in: .whitespacesAndNewlines)
        subject = input.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        tasks = (input.tasks ?? []).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard (1...100).contains(accountID.unicodeScalars.count) else { throw ChatError.invalid("accountId must be 1 to 100 characters.") }
        guard (1...300).contains(subject.unicodeScalars.count) else { throw ChatError.invalid("subject must be 1 to 300 characters.") }
        guard tasks.count <= 200 else { throw ChatError.invalid("A thread carries at most 200 tasks.") }
        if let index = tasks.firstIndex(where: { !(1...2000).contains($0.unicodeScalars.count) }) {
            throw ChatError.invalid("tasks[\(index)].text must be 1 to 2000 characters.")
        }
    }
}

extension ThreadRecord {
    func wire(tasks: [TaskRecord]) -> Components.Schemas.Thread {
        let progress = TaskProgress(tasks)
        return .init(
            id: id, firmId: firmId, accountId: accountId, subject: subject,
            status: status == "archived" ? .archived : .active,
            tasks: tasks.map { .init(id: $0.id, text: $0.text, position: Int($0.position), done: $0.isDone,
                                     doneAt: $0.doneAt.map(EpochMillis.date(millis:))) },
            completedTasks: progress.completed, totalTasks: progress.total,
            createdAt: EpochMillis.date(millis: createdAt))
    }

    func tasksCompletedEvent(tasks: [TaskRecord], at millis: Int64) -> Components.Schemas.TasksCompletedEvent {
        let progress = TaskProgress(tasks)
        return .init(threadId: id, firmId: firmId, accountId: accountId, completedTasks: progress.completed,
                     totalTasks: progress.total, completedAt: EpochMillis.date(millis: millis))
    }
}
