import AtriumRuntime
import ChatAPI
import Contracts
import DocAPI
import Foundation
import SQLKit

/// Applies DocService's events: a document uploaded in a thread joins its documents tab; a
/// deleted document leaves every thread (and every message it was attached to).
struct DocEventApplier: Sendable {
    let store: ThreadStore
    let live: LiveUpdates

    func apply(type: String, body: Data, on db: any SQLDatabase) async throws {
        do {
            switch type {
            case EventTypes.docDocumentDeleted:
                let event = try WebhookEnvelope<DocAPI.Components.Schemas.DocumentDeletedEvent>.decode(body).data
                try await store.forget(document: event.documentId, on: db)
            case EventTypes.docDocumentUploaded:
                let envelope = try WebhookEnvelope<DocAPI.Components.Schemas.DocumentUploadedEvent>.decode(body)
                try await attachUpload(envelope.data, at: EpochMillis.now(envelope.timestamp), on: db)
            default:
                return
            }
        } catch let error as DecodingError {
            throw RuntimeError.invalidBody("The \(type) payload does not match its schema: \(error.localizedDescription)")
        }
    }

    /// An upload that names a thread of the same account lands on that thread's tab.
    private func attachUpload(_ event: DocAPI.Components.Schemas.DocumentUploadedEvent, at millis: Int64, on db: any SQLDatabase) async throws {
        guard let threadID = event.threadId, let thread = try await store.lock(threadID, on: db), thread.accountId == event.accountId else { return }
        let row = ThreadDocumentRecord(
            threadId: thread.id, documentId: event.documentId, messageId: nil, name: event.name,
            contentType: event.contentType ?? "application/octet-stream", size: event.size ?? 0, teamOnly: 0,
            attachedBy: event.uploaderId, attachedByKind: event.uploaderKind.rawValue, attachedAt: millis)
        guard try await store.attach(row, on: db) else { return }
        try await live.append(thread.update("document.attached", row.wire, for: .everyone), on: db)
        let outbox = OutboxTransaction(sql: db)
        try await outbox.publish(EventTypes.chatThreadDocumentAttached, firmID: thread.firmId, payload: thread.attachedEvent(row))
    }
}
