import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import OpenAPIRuntime

/// ChatService's routes: threads and their client tasks.
struct ChatAPIHandler: APIProtocol {
    let outbox: Outbox
    let threads: any ThreadRepository

    func createThread(_ input: Operations.CreateThread.Input) async throws -> Operations.CreateThread.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        guard let firmID = caller.firmID, caller.kind == .member else {
            throw ChatError.notAllowed("Only team members start threads for now.")
        }
        let draft = try ThreadDraft(body)
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

    func getThread(_ input: Operations.GetThread.Input) async throws -> Operations.GetThread.Output {
        let caller = try RequestScope.requireCaller()
        let db = outbox.database.sql
        guard let thread = try await threads.find(input.path.threadId, on: db), caller.isTeamSide(of: thread.firmId) else {
            throw ChatError.threadNotFound(input.path.threadId)
        }
        return .ok(.init(body: .json(thread.wire(tasks: try await threads.tasks(of: thread.id, on: db)))))
    }

    func updateTask(_ input: Operations.UpdateTask.Input) async throws -> Operations.UpdateTask.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let threadID = input.path.threadId
        let taskID = input.path.taskId
        let threads = self.threads
        let wire = try await outbox.transaction { tx in
            guard let thread = try await threads.lock(threadID, on: tx.sql), caller.isTeamSide(of: thread.firmId) else {
                throw ChatError.threadNotFound(threadID)
            }
            let before = try await threads.tasks(of: thread.id, on: tx.sql)
            guard let task = before.first(where: { $0.id == taskID }) else { throw ChatError.taskNotFound(taskID) }
            let now = EpochMillis.now()
            if task.isDone != body.done {
                try await threads.setTask(taskID, done: body.done, by: caller.subject, at: now, on: tx.sql)
            }
            let after = try await threads.tasks(of: thread.id, on: tx.sql)
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
        guard (1...100).contains(accountID.count) else { throw ChatError.invalid("accountId must be 1 to 100 characters.") }
        guard (1...300).contains(subject.count) else { throw ChatError.invalid("subject must be 1 to 300 characters.") }
        guard tasks.count <= 200 else { throw ChatError.invalid("A thread carries at most 200 tasks.") }
        if let index = tasks.firstIndex(where: { !(1...2000).contains($0.count) }) {
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
