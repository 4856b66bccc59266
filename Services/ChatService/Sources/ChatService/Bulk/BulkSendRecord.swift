import AtriumRuntime
import ChatAPI
import Foundation

/// A bulk send as stored: who asked (so each account's access is judged as theirs), what to
/// send, and the running counts.
struct BulkSendRecord: Codable, Sendable {
    var id: String
    var firmId: String
    /// JSON `BulkCaller`.
    var caller: String
    /// JSON `BulkRequest`.
    var request: String
    /// `running` or `done`.
    var status: String
    var total: Int64
    var sent: Int64
    var skipped: Int64
    var createdAt: Int64
    var finishedAt: Int64?
}

/// One account of a bulk send and what happened to it.
struct BulkSendItemRecord: Codable, Sendable {
    var bulkId: String
    var position: Int64
    var accountId: String
    /// `pending`, `sent` or `skipped`.
    var status: String
    /// `no_access`, `no_eligible_contact` or `failed` when skipped.
    var reason: String?
    var detail: String?
    var threadId: String?
}

/// What each thread of a bulk send is made of.
struct BulkRequest: Codable, Sendable {
    var templateId: String?
    var subject: String?
    var text: String?
    var tasks: [String]
    var reminderDays: Int?
    var reminderCount: Int?
    var remindersOn: Bool

    /// The thread draft for one account.
    func draft(account accountID: String) throws -> ThreadDraft {
        try ThreadDraft(.init(
            accountId: accountID, subject: subject, text: text, tasks: tasks.map { .init(text: $0) },
            reminders: remindersOn ? .init(daysUntilNext: reminderDays, count: reminderCount) : nil, templateId: templateId))
    }
}

/// The caller a bulk send acts as, kept with it.
struct BulkCaller: Codable, Sendable {
    var kind: String
    var subject: String
    var firmID: String?
    var role: String?
    var rights: [String]

    init(_ caller: Caller) {
        kind = caller.kind.rawValue
        subject = caller.subject
        firmID = caller.firmID
        role = caller.role?.rawValue
        rights = caller.rights.sorted()
    }

    var caller: Caller {
        Caller(kind: Caller.Kind(rawValue: kind) ?? .member, subject: subject, firmID: firmID, role: role.flatMap(Caller.Role.init(rawValue:)),
               rights: Set(rights))
    }
}

enum BulkStatus {
    static let running = "running"
    static let done = "done"
    static let pending = "pending"
    static let sent = "sent"
    static let skipped = "skipped"
}
