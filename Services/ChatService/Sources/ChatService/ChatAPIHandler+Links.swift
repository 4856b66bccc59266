import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import OpenAPIRuntime

/// Job links and the documents tab.
extension ChatAPIHandler {
    func listThreadJobs(_ input: Operations.ListThreadJobs.Input) async throws -> Operations.ListThreadJobs.Output {
        let visible = try await teamThread(input.path.threadId, "Jobs are the firm's own workings.")
        return .ok(.init(body: .json(.init(items: try await store.jobLinks(thread: visible.thread.id, on: database.sql).map(\.wire)))))
    }

    func linkJob(_ input: Operations.LinkJob.Input) async throws -> Operations.LinkJob.Output {
        let jobID = input.path.jobId
        guard Identifier.isWellFormed(jobID, prefix: "job") else { throw ChatError.invalid("\(jobID.debugDescription) is not a job id.") }
        let visible = try await teamThread(input.path.threadId, "Only the team links threads to jobs.")
        let (store, actor, now) = (store, Author(id: visible.caller.subject, kind: visible.caller.kind.rawValue), clock.now())
        // Announced, so PipelineService counts a link a person made here as one made there.
        let link = try await outbox.transaction { tx in
            let thread = try await locked(visible.thread.id, on: tx)
            let (link, made) = try await store.link(JobLinkRecord(threadId: thread.id, jobId: jobID, firmId: thread.firmId, accountId: thread.accountId,
                                                                  linkedBy: actor.id, linkedAt: now), on: tx.sql)
            if made {
                try await tx.publish(EventTypes.chatThreadJobLinked, firmID: thread.firmId, payload: thread.jobLinkEvent(job: jobID, actor: actor, at: now))
            }
            return link
        }
        return .ok(.init(body: .json(link.wire)))
    }

    func unlinkJob(_ input: Operations.UnlinkJob.Input) async throws -> Operations.UnlinkJob.Output {
        let visible = try await teamThread(input.path.threadId, "Only the team unlinks threads from jobs.")
        let (store, actor, now, jobID) = (store, Author(id: visible.caller.subject, kind: visible.caller.kind.rawValue), clock.now(), input.path.jobId)
        try await outbox.transaction { tx in
            let thread = try await locked(visible.thread.id, on: tx)
            if try await store.unlink(thread: thread.id, job: jobID, on: tx.sql) {
                try await tx.publish(EventTypes.chatThreadJobUnlinked, firmID: thread.firmId, payload: thread.jobLinkEvent(job: jobID, actor: actor, at: now))
            }
        }
        return .noContent(.init())
    }

    func listJobThreads(_ input: Operations.ListJobThreads.Input) async throws -> Operations.ListJobThreads.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind != .contact else { throw ChatError.notAllowed("Jobs are the firm's own workings.") }
        var visible: [JobLinkRecord] = []
        for link in try await store.jobLinks(job: input.path.jobId, on: database.sql)
        where try await directory.allows(caller, account: link.accountId, firm: link.firmId) {
            visible.append(link)
        }
        // A job with no thread the caller may see answers as one that does not exist: its existence does not leak.
        guard !visible.isEmpty else { throw ChatError.jobNotFound(input.path.jobId) }
        return .ok(.init(body: .json(.init(items: visible.map(\.wire)))))
    }

    func listThreadDocuments(_ input: Operations.ListThreadDocuments.Input) async throws -> Operations.ListThreadDocuments.Output {
        let visible = try await visibleThread(input.path.threadId)
        let documents = try await store.documents(of: visible.thread.id, viewer: visible.viewer, on: database.sql)
        return .ok(.init(body: .json(.init(items: documents.map(\.wire)))))
    }

    func attachDocument(_ input: Operations.AttachDocument.Input) async throws -> Operations.AttachDocument.Output {
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let visible = try await teamThread(input.path.threadId, "A client attaches a document by uploading it in the thread.")
        let documentID = try IDList.validate([body.documentId], field: "documentId", max: 1).first ?? body.documentId
        guard let document = try await attachments([documentID], account: visible.thread.accountId, by: visible.caller, internal: false).first else {
            throw ChatError.attachmentRefused("\(documentID) is not a document of this account.")
        }
        let row = ThreadDocumentRecord(
            threadId: visible.thread.id, documentId: document.id, messageId: nil, name: document.name, contentType: document.contentType,
            size: document.size, teamOnly: 0, attachedBy: visible.caller.subject, attachedByKind: visible.caller.kind.rawValue,
            attachedAt: clock.now())
        let store = self.store
        let attached = try await outbox.transaction { tx in
            let thread = try await locked(visible.thread.id, on: tx)
            if try await store.attach(row, on: tx.sql) {
                try await live.append(thread.update("document.attached", row.wire, for: .everyone), on: tx.sql)
                try await tx.publish(EventTypes.chatThreadDocumentAttached, firmID: thread.firmId, payload: thread.attachedEvent(row))
                return row
            }
            return try await store.documents(of: thread.id, viewer: visible.viewer, on: tx.sql).first { $0.documentId == row.documentId } ?? row
        }
        return .ok(.init(body: .json(attached.wire)))
    }

    func detachDocument(_ input: Operations.DetachDocument.Input) async throws -> Operations.DetachDocument.Output {
        let visible = try await teamThread(input.path.threadId, "Only the team takes documents off a thread.")
        try await store.detach(input.path.documentId, from: visible.thread.id, on: database.sql)
        return .noContent(.init())
    }
}
