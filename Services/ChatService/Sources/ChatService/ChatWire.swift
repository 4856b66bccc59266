import AtriumRuntime
import ChatAPI
import Foundation

/// Stored records in the contract's terms.
extension ThreadRecord {
    /// The whole thread for `viewer`: counts and last message only of what they may see.
    func wire(tasks: [TaskRecord], recipients: [String], viewer: Viewer, read: (Int64, Int64), last: MessageRecord?) -> Components.Schemas.Thread {
        let visible = visibleCount(to: viewer)
        return .init(
            id: id, firmId: firmId, accountId: accountId, subject: subject, status: isArchived ? .archived : .active,
            startedBy: startedBy.wire, recipientIds: recipients, tasks: tasks.map(\.wire),
            completedTasks: Int(tasksDone), totalTasks: Int(tasksTotal), taskVersion: taskVersion,
            messageCount: Int(visible), unreadCount: Int(max(0, visible - (viewer.seesInternal ? read.0 : read.1))),
            lastMessage: last?.preview, lastActivityAt: EpochMillis.date(millis: lastActivity(for: viewer)),
            archivedAt: archivedAt.map(EpochMillis.date(millis:)), reminders: reminderState, createdAt: EpochMillis.date(millis: createdAt))
    }

    var reminderState: Components.Schemas.ReminderState? {
        guard let days = reminderDays, let count = reminderCount else { return nil }
        return .init(daysUntilNext: Int(days), count: Int(count), sent: Int(remindersSent), nextAt: nextReminderAt.map(EpochMillis.date(millis:)))
    }

    func summary(viewer: Viewer, read: (Int64, Int64), last: MessageRecord?) -> Components.Schemas.ThreadSummary {
        let visible = visibleCount(to: viewer)
        return .init(
            id: id, accountId: accountId, subject: subject, status: isArchived ? .archived : .active,
            completedTasks: Int(tasksDone), totalTasks: Int(tasksTotal),
            unreadCount: Int(max(0, visible - (viewer.seesInternal ? read.0 : read.1))), lastMessage: last?.preview,
            lastActivityAt: EpochMillis.date(millis: lastActivity(for: viewer)), createdAt: EpochMillis.date(millis: createdAt))
    }
}

extension TaskRecord {
    var wire: Components.Schemas.ClientTask {
        .init(id: id, text: text, position: Int(position), done: isDone, doneAt: doneAt.map(EpochMillis.date(millis:)),
              doneBy: doneBy.map { Author(id: $0, kind: doneByKind ?? "member").wire })
    }
}

extension MessageRecord {
    /// The plain text on one line, at most 200 characters, cut at a character boundary.
    var preview: Components.Schemas.MessagePreview {
        let line = plain.split(whereSeparator: \.isNewline).joined(separator: " ")
        let short = line.count > 200 ? String(line.prefix(199)) + "…" : line
        return .init(id: id, author: author.wire, preview: short, _internal: isInternal, createdAt: EpochMillis.date(millis: createdAt))
    }

    func wire(attachments: [ThreadDocumentRecord]) -> Components.Schemas.Message {
        let embeds = JSONCoding.decode([MessageEmbed].self, self.embeds) ?? []
        let update = taskUpdate.flatMap { JSONCoding.decode(TaskUpdateRecord.self, $0) }
        return .init(
            id: id, threadId: threadId, kind: .init(rawValue: kind) ?? .message, author: author.wire, _internal: isInternal,
            text: text, html: html, plain: plain, mentions: JSONCoding.decode([String].self, mentions) ?? [],
            embeds: embeds.map { .init(provider: .init(rawValue: $0.provider.rawValue) ?? .youtube, id: $0.id, url: $0.url) },
            attachments: attachments.map(\.wire),
            taskUpdate: update.map { .init(created: $0.created, completed: $0.completed, reopened: $0.reopened, deleted: $0.deleted, renamed: $0.renamed) },
            createdAt: EpochMillis.date(millis: createdAt))
    }
}

extension ThreadDocumentRecord {
    var wire: Components.Schemas.ThreadDocument {
        .init(documentId: documentId, threadId: threadId, messageId: messageId, name: name, contentType: contentType, size: size,
              _internal: teamOnly != 0, attachedBy: Author(id: attachedBy, kind: attachedByKind).wire,
              attachedAt: EpochMillis.date(millis: attachedAt))
    }
}

extension JobLinkRecord {
    var wire: Components.Schemas.JobLink {
        .init(threadId: threadId, jobId: jobId, accountId: accountId, linkedAt: EpochMillis.date(millis: linkedAt))
    }
}
