import AtriumRuntime
import ChatAPI
import Contracts
import Foundation

extension ChatAPIHandler {
    /// Posts `draft` into `thread` inside `tx`: the message, the thread's counters and last
    /// message, the author's read state, the attachments and the event. The caller saves `thread`.
    func post(_ draft: MessageDraft, in thread: inout ThreadRecord, at millis: Int64, on tx: OutboxTransaction) async throws -> MessageRecord {
        let message = try draft.record(id: Identifier.make("msg"), threadID: thread.id, seq: thread.messageCount + 1, at: millis)
        try await store.insert(message, on: tx.sql)
        thread.messageCount += 1
        thread.lastMessageId = message.id
        thread.lastActivityAt = millis
        if !draft.isInternal {
            thread.publicCount += 1
            thread.lastPublicMessageId = message.id
            thread.lastPublicAt = millis
            try await reconsiderReminders(&thread, after: draft.author, kind: draft.kind, at: millis, on: tx)
        }
        if draft.author.kind != Caller.Kind.service.rawValue {
            try await store.markRead(thread, by: draft.author.id, at: millis, on: tx.sql)
        }
        for document in draft.attachments {
            let row = ThreadDocumentRecord(
                threadId: thread.id, documentId: document.id, messageId: message.id, name: document.name,
                contentType: document.contentType, size: document.size, teamOnly: draft.isInternal ? 1 : 0,
                attachedBy: draft.author.id, attachedByKind: draft.author.kind, attachedAt: millis)
            // A note's attachment is announced in the note's own event, which only Atrium's services hear.
            if try await store.attach(row, on: tx.sql), !draft.isInternal {
                try await live.append(thread.update("document.attached", row.wire, for: .everyone), on: tx.sql)
                try await tx.publish(EventTypes.chatThreadDocumentAttached, firmID: thread.firmId, payload: thread.attachedEvent(row))
            }
        }
        let attached = draft.attachments.isEmpty ? [] : try await store.documents(ofMessages: [message.id], on: tx.sql)
        try await live.append(thread.update("message.created", message.wire(attachments: attached), for: draft.isInternal ? .team : .everyone), on: tx.sql)
        let recipients = try await store.recipients(of: thread.id, on: tx.sql)
        try await tx.publish(draft.isInternal ? EventTypes.chatNoteCreated : EventTypes.chatMessageCreated, firmID: thread.firmId,
                             payload: thread.messageEvent(message, draft: draft, recipients: recipients))
        return message
    }
}

extension ChatAPIHandler {
    /// SPEC "Reminders": a new message from the firm starts them again about that message; a
    /// client's reply stops them when the thread asks no tasks of the client.
    func reconsiderReminders(
        _ thread: inout ThreadRecord, after author: Author, kind: String, at millis: Int64, on tx: OutboxTransaction
    ) async throws {
        // Task updates are the list's own log, not a message the client is asked to answer.
        guard thread.remindersOn, kind != MessageKind.taskUpdate else { return }
        if author.kind == Caller.Kind.contact.rawValue {
            if thread.tasksTotal == 0 { thread.stopReminders() }
        } else {
            try await armReminders(&thread, from: millis, on: tx)
        }
    }

    /// Arms the thread's reminders from `millis` and makes sure a scan runs when the first is due.
    func armReminders(_ thread: inout ThreadRecord, from millis: Int64, on tx: OutboxTransaction) async throws {
        thread.armReminders(from: millis)
        if let next = thread.nextReminderAt { try await ReminderScan.schedule(at: next, on: tx.sql) }
    }
}

extension ThreadRecord {
    /// A live update about this thread.
    func update(_ event: String, _ data: some Encodable, for audience: LiveUpdate.Audience) throws -> LiveUpdate {
        LiveUpdate(threadID: id, firmID: firmId, accountID: accountId, event: event, audience: audience, data: try LiveUpdate.json(data))
    }

    /// What a thread list needs to move and redraw this thread: its status and task counts.
    var listChange: ThreadChange {
        ThreadChange(threadId: id, accountId: accountId, status: status, completedTasks: tasksDone, totalTasks: tasksTotal, taskVersion: taskVersion)
    }
}

/// The `data` of `thread.status` and `tasks.changed` updates.
struct ThreadChange: Codable, Sendable {
    var threadId: String
    var accountId: String
    var status: String
    var completedTasks: Int64
    var totalTasks: Int64
    var taskVersion: Int64
    var tasks: [ChatAPI.Components.Schemas.ClientTask]?
}
