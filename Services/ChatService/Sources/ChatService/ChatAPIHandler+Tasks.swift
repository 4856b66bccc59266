import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import OpenAPIRuntime

extension ChatAPIHandler {
    func addTasks(_ input: Operations.AddTasks.Input) async throws -> Operations.AddTasks.Output {
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let texts = try TaskTexts.validate(body.tasks.map(\.text), field: "tasks")
        guard !texts.isEmpty else { throw ChatError.invalid("tasks names no task to add.") }
        let visible = try await teamThread(input.path.threadId, "Only the firm sets client tasks.")
        let thread = try await changeTasks(visible, Self.appending(texts, store: store))
        return .ok(.init(body: .json(try await wire(thread, for: visible.viewer))))
    }

    func reorderTasks(_ input: Operations.ReorderTasks.Input) async throws -> Operations.ReorderTasks.Output {
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let visible = try await teamThread(input.path.threadId, "Only the firm orders client tasks.")
        let store = self.store
        let thread = try await changeTasks(visible) { _, before, tx in
            guard body.taskIds.count == before.count, Set(body.taskIds) == Set(before.map(\.id)) else {
                throw ChatError.invalid("taskIds must name every task of the thread once, in the new order.")
            }
            let byID = Dictionary(uniqueKeysWithValues: before.map { ($0.id, $0) })
            var after: [TaskRecord] = []
            for (index, id) in body.taskIds.enumerated() {
                guard var task = byID[id] else { continue }
                if task.position != Int64(index) {
                    task.position = Int64(index)
                    try await store.save(task: task, on: tx.sql)
                }
                after.append(task)
            }
            return TaskChangeSet(after: after)
        }
        return .ok(.init(body: .json(try await wire(thread, for: visible.viewer))))
    }

    func updateTask(_ input: Operations.UpdateTask.Input) async throws -> Operations.UpdateTask.Output {
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let text = try body.text.map { try TaskTexts.validate([$0], field: "text").first ?? $0 }
        guard body.done != nil || text != nil else { throw ChatError.invalid("Say what changes: done, text or both.") }
        let visible = try await visibleThread(input.path.threadId)
        if text != nil, visible.caller.kind == .contact { throw ChatError.notAllowed("Only the firm renames client tasks.") }
        let (store, taskID, actor) = (self.store, input.path.taskId, visible.caller.author)
        let thread = try await changeTasks(visible) { _, before, tx in
            guard let index = before.firstIndex(where: { $0.id == taskID }) else { throw ChatError.taskNotFound(taskID) }
            var set = TaskChangeSet(after: before)
            var task = before[index]
            if let text, text != task.text {
                task.text = text
                set.record(.renamed, task)
            }
            if let done = body.done, done != task.isDone {
                let now = clock.now()
                (task.doneAt, task.doneBy, task.doneByKind) = done ? (now, actor.id, actor.kind) : (nil, nil, nil)
                set.record(done ? .completed : .reopened, task)
            }
            guard task != before[index] else { return set }
            try await store.save(task: task, on: tx.sql)
            set.after[index] = task
            return set
        }
        return .ok(.init(body: .json(try await wire(thread, for: visible.viewer))))
    }

    func deleteTask(_ input: Operations.DeleteTask.Input) async throws -> Operations.DeleteTask.Output {
        let visible = try await teamThread(input.path.threadId, "Only the firm deletes client tasks.")
        let (store, taskID) = (self.store, input.path.taskId)
        let thread = try await changeTasks(visible) { _, before, tx in
            guard let task = before.first(where: { $0.id == taskID }) else { throw ChatError.taskNotFound(taskID) }
            try await store.delete(task: taskID, on: tx.sql)
            var set = TaskChangeSet(after: before.filter { $0.id != taskID })
            set.record(.deleted, task)
            return set
        }
        return .ok(.init(body: .json(try await wire(thread, for: visible.viewer))))
    }

    func resendTasks(_ input: Operations.ResendTasks.Input) async throws -> Operations.ResendTasks.Output {
        let visible = try await teamThread(input.path.threadId, "Only the firm resends client tasks.")
        let (store, actor) = (self.store, visible.caller.author)
        let message = try await outbox.transaction { tx in
            var thread = try await locked(visible.thread.id, on: tx)
            let tasks = try await store.tasks(of: thread.id, on: tx.sql)
            guard !tasks.isEmpty else { throw ChatError.invalid("This thread has no client tasks to resend.") }
            let message = try await post(.taskList(tasks, by: actor), in: &thread, at: clock.now(), on: tx)
            try await store.save(thread, on: tx.sql)
            return message
        }
        return .created(.init(body: .json(message.wire(attachments: []))))
    }

    /// Runs `change` on the locked thread's tasks, then records what it did: counts and version,
    /// the task-update message, `chat.task.changed`, and `tasks_completed` / `tasks_reopened`
    /// when the list became complete or stopped being so.
    private func changeTasks(
        _ visible: VisibleThread, _ change: @escaping @Sendable (ThreadRecord, [TaskRecord], OutboxTransaction) async throws -> TaskChangeSet
    ) async throws -> ThreadRecord {
        try await outbox.transaction { tx in
            try await changeTasks(of: try await locked(visible.thread.id, on: tx), by: visible.caller.author, on: tx, change)
        }
    }

    /// `changeTasks` on a thread locked in `tx`; answers the thread as saved.
    func changeTasks(
        of locked: ThreadRecord, by actor: Author, on tx: OutboxTransaction,
        _ change: @escaping @Sendable (ThreadRecord, [TaskRecord], OutboxTransaction) async throws -> TaskChangeSet
    ) async throws -> ThreadRecord {
        do {
            var thread = locked
            let before = try await store.tasks(of: thread.id, on: tx.sql)
            let set = try await change(thread, before, tx)
            guard set.after != before else { return thread }
            let now = clock.now()
            let progress = TaskProgress(set.after)
            thread.tasksTotal = Int64(progress.total)
            thread.tasksDone = Int64(progress.completed)
            thread.taskVersion += 1
            if !set.update.isEmpty {
                _ = try await post(.taskUpdate(set.update, by: actor), in: &thread, at: now, on: tx)
                let recipients = try await store.recipients(of: thread.id, on: tx.sql)
                try await tx.publish(EventTypes.chatTaskChanged, firmID: thread.firmId,
                                     payload: thread.taskChangedEvent(actor: actor, changes: set.changes, recipients: recipients, at: now))
            }
            try await store.save(thread, on: tx.sql)
            var change = thread.listChange
            change.tasks = set.after.map(\.wire)
            try await live.append(thread.update("tasks.changed", change, for: .everyone), on: tx.sql)
            try await publishCompletion(of: thread, was: TaskProgress(before), now: progress, actor: actor, at: now, on: tx)
            return thread
        }
    }

    /// Appends tasks with `texts` to the list (the change `addTasks` makes).
    static func appending(_ texts: [String], store: ThreadStore) -> @Sendable (ThreadRecord, [TaskRecord], OutboxTransaction) async throws -> TaskChangeSet {
        { thread, before, tx in
            guard before.count + texts.count <= 200 else { throw ChatError.invalid("A thread carries at most 200 tasks.") }
            let next = (before.map(\.position).max() ?? -1) + 1
            var set = TaskChangeSet(after: before)
            let added = texts.enumerated().map { index, text in
                TaskRecord(id: Identifier.make("tsk"), threadId: thread.id, text: text, position: next + Int64(index))
            }
            try await store.insert(tasks: added, on: tx.sql)
            set.after += added
            for task in added { set.record(.created, task) }
            return set
        }
    }

    /// `tasks_completed` when the list just became complete; `tasks_reopened` when a complete list
    /// got a new or unchecked task.
    private func publishCompletion(
        of thread: ThreadRecord, was before: TaskProgress, now after: TaskProgress, actor: Author, at millis: Int64, on tx: OutboxTransaction
    ) async throws {
        let type: String
        switch (before.isComplete, after.isComplete) {
        case (false, true): type = EventTypes.chatThreadTasksCompleted
        case (true, false) where after.total > 0: type = EventTypes.chatThreadTasksReopened
        default: return
        }
        let jobs = try await store.jobLinks(thread: thread.id, on: tx.sql).map(\.jobId)
        try await tx.publish(type, firmID: thread.firmId, payload: thread.tasksEvent(actor: actor, jobIDs: jobs, at: millis))
    }
}
