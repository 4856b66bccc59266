import AtriumRuntime
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
                try await tx.publish(EventTypes.chatThreadDocumentAttached, firmID: thread.firmId, payload: thread.attachedEvent(row))
            }
        }
        let recipients = try await store.recipients(of: thread.id, on: tx.sql)
        try await tx.publish(draft.isInternal ? EventTypes.chatNoteCreated : EventTypes.chatMessageCreated, firmID: thread.firmId,
                             payload: thread.messageEvent(message, draft: draft, recipients: recipients))
        return message
    }
}
