/// A thread as stored.
struct ThreadRecord: Codable, Sendable {
    var id: String
    var firmId: String
    var accountId: String
    var subject: String
    var status: String
    var createdBy: String
    var createdAt: Int64
}

/// A client task as stored; `doneAt` is nil while unchecked.
struct TaskRecord: Codable, Sendable {
    var id: String
    var threadId: String
    var text: String
    var position: Int64
    var doneAt: Int64?
    var doneBy: String?

    var isDone: Bool { doneAt != nil }
}
