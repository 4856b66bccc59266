/// A message as stored: the text as sent, and its renderings made once, when it was posted.
struct MessageRecord: Codable, Sendable {
    var id: String
    var threadId: String
    /// 1, 2, 3… in the thread, internal messages included.
    var seq: Int64
    /// `message`, `task_update` or `task_list`.
    var kind: String
    var authorId: String
    var authorKind: String
    /// 1 for an internal note.
    var teamOnly: Int64
    var text: String
    var html: String
    var plain: String
    /// JSON array of team member ids.
    var mentions: String
    /// JSON array of `MessageEmbed`.
    var embeds: String
    /// JSON `TaskUpdateRecord` for task messages.
    var taskUpdate: String?
    var createdAt: Int64
    /// The `Idempotency-Key` of the request that posted it, if any.
    var requestKey: String?

    var isInternal: Bool { teamOnly != 0 }
    var author: Author { Author(id: authorId, kind: authorKind) }
}

enum MessageKind {
    static let message = "message"
    static let taskUpdate = "task_update"
    static let taskList = "task_list"
}

/// What a task message lists, by task text.
struct TaskUpdateRecord: Codable, Sendable, Equatable {
    var created: [String] = []
    var completed: [String] = []
    var reopened: [String] = []
    var deleted: [String] = []
    var renamed: [String] = []

    var isEmpty: Bool { created.isEmpty && completed.isEmpty && reopened.isEmpty && deleted.isEmpty && renamed.isEmpty }
}
