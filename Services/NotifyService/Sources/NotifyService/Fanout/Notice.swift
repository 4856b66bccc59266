import Foundation

/// A kind of notification: what happened, as the contract's `NotificationKind` names it.
enum NoticeKind: String, CaseIterable, Codable, Sendable {
    case newThread = "new_thread"
    case message
    case mention
    case tasksCompleted = "tasks_completed"
    case clientUpload = "client_upload"
    case taskChanged = "task_changed"
    case pendingTasks = "pending_tasks"
    case reminder
    case invitation
    /// A firm's e-mail template sent to a contact.
    case template
    /// A team member's daily digest (e-mail only).
    case digest
}

/// Someone NotifyService tells something: a team member or a contact, as the directory knew them
/// when the event was handled.
struct Person: Sendable, Hashable, Codable {
    enum Kind: String, Sendable, Codable {
        case member
        case contact
    }

    var id: String
    var kind: Kind
    var email: String
    var firstName: String
    var lastName: String

    var name: String {
        let full = "\(firstName) \(lastName)".trimmingCharacters(in: .whitespaces)
        return full.isEmpty ? email : full
    }
}

/// Who did what, as shown in the notification.
struct NoticeActor: Sendable, Hashable, Codable {
    var id: String
    var kind: String
    var name: String
}

/// A task touched by a change, and its state now.
struct NoticeTask: Sendable, Hashable, Codable {
    var taskId: String
    var text: String
    var change: String
    var done: Bool
}

/// One notification for one person, before their preferences choose inbox, e-mail or both.
struct Notice: Sendable, Hashable {
    var recipient: Person
    var kind: NoticeKind
    var title: String
    /// What happened, in full: the inbox shows it; a client e-mail shows it only when the firm allows.
    var summary: String
    var accountID: String
    var threadID: String?
    var messageID: String?
    var actor: NoticeActor?
    var tasks: [NoticeTask] = []
}
