import AtriumRuntime
import ChatAPI
import Foundation

/// The payloads ChatService publishes, built from what is stored.
extension ThreadRecord {
    func createdEvent(recipients: [String], jobIDs: [String], firstMessage: String?) -> Components.Schemas.ThreadCreatedEvent {
        .init(threadId: id, firmId: firmId, accountId: accountId, subject: subject, startedBy: startedBy.wire,
              recipientIds: recipients, totalTasks: Int(tasksTotal), jobIds: jobIDs, firstMessageId: firstMessage,
              createdAt: EpochMillis.date(millis: createdAt))
    }

    func messageEvent(_ message: MessageRecord, draft: MessageDraft, recipients: [String]) -> Components.Schemas.MessageCreatedEvent {
        .init(threadId: id, firmId: firmId, accountId: accountId, subject: subject, messageId: message.id,
              kind: .init(rawValue: message.kind) ?? .message, author: message.author.wire, _internal: message.isInternal,
              mentions: draft.mentions, recipientIds: recipients, startedBy: startedBy.wire, plain: message.plain,
              attachmentIds: draft.attachments.map(\.id), firstInThread: message.seq == 1, startsThread: draft.startsThread,
              openTasks: Int(tasksTotal - tasksDone), createdAt: EpochMillis.date(millis: message.createdAt))
    }

    func statusEvent(actor: Author, at millis: Int64) -> Components.Schemas.ThreadStatusEvent {
        .init(threadId: id, firmId: firmId, accountId: accountId, status: isArchived ? .archived : .active, actor: actor.wire,
              changedAt: EpochMillis.date(millis: millis))
    }

    func attachedEvent(_ document: ThreadDocumentRecord) -> Components.Schemas.DocumentAttachedEvent {
        .init(threadId: id, firmId: firmId, accountId: accountId, documentId: document.documentId, messageId: document.messageId,
              name: document.name, _internal: document.teamOnly != 0,
              attachedBy: Author(id: document.attachedBy, kind: document.attachedByKind).wire, startedBy: startedBy.wire,
              subject: subject, attachedAt: EpochMillis.date(millis: document.attachedAt))
    }

    func jobLinkEvent(job jobID: String, actor: Author, at millis: Int64) -> Components.Schemas.JobLinkEvent {
        .init(threadId: id, jobId: jobID, firmId: firmId, accountId: accountId, actor: actor.wire, completedTasks: Int(tasksDone),
              totalTasks: Int(tasksTotal), taskVersion: taskVersion, changedAt: EpochMillis.date(millis: millis))
    }

    func tasksEvent(actor: Author, jobIDs: [String], at millis: Int64) -> Components.Schemas.TasksCompletedEvent {
        .init(threadId: id, firmId: firmId, accountId: accountId, completedTasks: Int(tasksDone), totalTasks: Int(tasksTotal),
              taskVersion: taskVersion, actor: actor.wire, jobIds: jobIDs, subject: subject, startedBy: startedBy.wire, completedAt: EpochMillis.date(millis: millis))
    }

    func taskChangedEvent(
        actor: Author, changes: [Components.Schemas.TaskChangeRecord], recipients: [String], at millis: Int64
    ) -> Components.Schemas.TaskChangedEvent {
        .init(threadId: id, firmId: firmId, accountId: accountId, actor: actor.wire, startedBy: startedBy.wire, changes: changes,
              completedTasks: Int(tasksDone), totalTasks: Int(tasksTotal), taskVersion: taskVersion, subject: subject, recipientIds: recipients,
              changedAt: EpochMillis.date(millis: millis))
    }
}

extension Author {
    var wire: Components.Schemas.Author { .init(id: id, kind: .init(rawValue: kind) ?? .service) }
}
