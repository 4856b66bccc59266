/// A thread as stored. The row carries what a list shows, so a page of threads is one query:
/// message counts (all, and those a contact may see), the last message of each kind, task counts.
struct ThreadRecord: Codable, Sendable {
    var id: String
    var firmId: String
    var accountId: String
    var subject: String
    /// `active` or `archived`.
    var status: String
    var createdBy: String
    var createdByKind: String
    var createdAt: Int64
    /// When the last message of any kind was posted (the team's lists sort by it).
    var lastActivityAt: Int64
    /// When the last message a contact may see was posted (contacts' lists sort by it, so an
    /// internal note never moves a thread in a contact's list).
    var lastPublicAt: Int64
    var lastMessageId: String?
    var lastPublicMessageId: String?
    /// Every message, internal ones included; also the last message's `seq`.
    var messageCount: Int64
    /// Messages that are not internal.
    var publicCount: Int64
    var tasksTotal: Int64
    var tasksDone: Int64
    /// Grows with every change to the thread's tasks, so consumers can discard stale events.
    var taskVersion: Int64
    var archivedAt: Int64?
    var reminderDays: Int64?
    var reminderCount: Int64?
    var remindersSent: Int64
    var nextReminderAt: Int64?
    /// The `Idempotency-Key` of the request that started it, if any.
    var requestKey: String?

    var isArchived: Bool { status == ThreadStatus.archived }
    var startedBy: Author { Author(id: createdBy, kind: createdByKind) }

    /// What a caller of `kind` may see of the thread's messages.
    func visibleCount(to viewer: Viewer) -> Int64 { viewer.seesInternal ? messageCount : publicCount }
    func lastMessageID(for viewer: Viewer) -> String? { viewer.seesInternal ? lastMessageId : lastPublicMessageId }
    func lastActivity(for viewer: Viewer) -> Int64 { viewer.seesInternal ? lastActivityAt : lastPublicAt }
}

enum ThreadStatus {
    static let active = "active"
    static let archived = "archived"
}

/// Who wrote a message or made a change: an id and its kind (`member`, `contact`, `service`).
struct Author: Codable, Sendable, Equatable {
    var id: String
    var kind: String
}

/// How a caller looks at threads: the team sees internal messages; contacts (and portal views) never do.
struct Viewer: Sendable {
    var id: String
    var seesInternal: Bool
}
