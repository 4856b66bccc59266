/// A client task as stored; `doneAt` is nil while unchecked.
struct TaskRecord: Codable, Sendable, Equatable {
    var id: String
    var threadId: String
    var text: String
    var position: Int64
    var doneAt: Int64?
    var doneBy: String?
    var doneByKind: String?

    var isDone: Bool { doneAt != nil }
}

/// Completed and total tasks of a thread.
struct TaskProgress: Equatable {
    let completed: Int
    let total: Int

    init(_ tasks: [TaskRecord]) {
        completed = tasks.count(where: \.isDone)
        total = tasks.count
    }

    /// A thread with no tasks is never "complete": it asks nothing of the client.
    var isComplete: Bool { total > 0 && completed == total }
}
