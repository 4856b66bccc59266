import ChatAPI

/// What one request did to a thread's tasks: the list after it, and what to tell people.
struct TaskChangeSet: Sendable {
    var after: [TaskRecord]
    /// What the task-update message lists; empty for a change worth no message (a reorder).
    var update = TaskUpdateRecord()
    /// One entry per task changed, for `chat.task.changed`.
    var changes: [Components.Schemas.TaskChangeRecord] = []

    mutating func record(_ change: Components.Schemas.TaskChangeRecord.ChangePayload, _ task: TaskRecord) {
        changes.append(.init(taskId: task.id, text: task.text, change: change, done: task.isDone))
        switch change {
        case .created: update.created.append(task.text)
        case .completed: update.completed.append(task.text)
        case .reopened: update.reopened.append(task.text)
        case .renamed: update.renamed.append(task.text)
        case .deleted: update.deleted.append(task.text)
        }
    }
}
