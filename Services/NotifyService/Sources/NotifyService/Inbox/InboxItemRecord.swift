import AtriumRuntime
import Foundation
import NotifyAPI

/// A row of `inbox_items`: one notification in one person's Inbox+.
struct InboxItemRecord: Codable, Sendable, Equatable {
    var id: String
    /// What caused it (an event and a rule); with the recipient, unique.
    var cause: String
    var firmId: String
    var recipientId: String
    var recipientKind: String
    var accountId: String
    var kind: String
    var title: String
    var summary: String
    var threadId: String?
    var messageId: String?
    var actorId: String?
    var actorKind: String?
    var actorName: String?
    /// JSON array of `NoticeTask`, for `task_changed` and `pending_tasks`.
    var tasks: String?
    var link: String?
    var createdAt: Int64
    var readAt: Int64?
    /// Its number in the recipient's stream (`inbox_cursors`).
    var seq: Int64?

    init(_ notice: Notice, cause: String, firmID: String, link: String?, at millis: Int64) {
        id = Identifier.make("ntf")
        self.cause = cause
        firmId = firmID
        recipientId = notice.recipient.id
        recipientKind = notice.recipient.kind.rawValue
        accountId = notice.accountID
        kind = notice.kind.rawValue
        title = notice.title
        summary = notice.summary
        threadId = notice.threadID
        messageId = notice.messageID
        actorId = notice.actor?.id
        actorKind = notice.actor?.kind
        actorName = notice.actor?.name
        tasks = notice.tasks.isEmpty ? nil : String(decoding: (try? JSONEncoder().encode(notice.tasks)) ?? Data("[]".utf8), as: UTF8.self)
        self.link = link
        createdAt = millis
        readAt = nil
        seq = nil
    }

    var wire: Components.Schemas.InboxItem {
        let tasks = tasks.flatMap { try? JSONDecoder().decode([NoticeTask].self, from: Data($0.utf8)) }
        return .init(
            id: id, kind: .init(rawValue: kind) ?? .message, title: title, summary: summary, accountId: accountId, threadId: threadId,
            messageId: messageId,
            actor: actorId.map { .init(id: $0, kind: .init(rawValue: actorKind ?? "") ?? .service, name: actorName) },
            tasks: tasks?.map { .init(taskId: $0.taskId, text: $0.text, change: $0.change, done: $0.done) },
            link: link, createdAt: EpochMillis.date(millis: createdAt), read: readAt != nil,
            readAt: readAt.map { EpochMillis.date(millis: $0) })
    }
}
