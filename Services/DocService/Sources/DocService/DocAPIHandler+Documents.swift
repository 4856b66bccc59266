import AtriumRuntime
import Contracts
import DocAPI
import Foundation
import OpenAPIRuntime

/// Documents' metadata: read, list, rename, move, change the client's access, delete.
extension DocAPIHandler {
    static let defaultPageSize = 50

    func getDocument(_ input: Operations.GetDocument.Input) async throws -> Operations.GetDocument.Output {
        let (document, _) = try await visibleDocument(input.path.documentId)
        return .ok(.init(body: .json(document.wire)))
    }

    func listDocuments(_ input: Operations.ListDocuments.Input) async throws -> Operations.ListDocuments.Output {
        let caller = try RequestScope.requireCaller()
        let grant = try await visibleGrant(input.path.accountId)
        let limit = input.query.limit ?? Self.defaultPageSize
        guard (1...200).contains(limit) else { throw DocError.invalid("limit must be 1 to 200.") }
        let query = DocumentQuery(
            accountID: grant.accountID, folderID: input.query.folderId, search: input.query.search?.lowercased(),
            contactID: caller.kind == .contact ? caller.subject : nil, after: input.query.cursor, limit: limit)
        let page = try await documents.page(query, on: database.sql)
        return .ok(.init(body: .json(.init(items: page.items.map(\.wire), nextCursor: page.next))))
    }

    func updateDocument(_ input: Operations.UpdateDocument.Input) async throws -> Operations.UpdateDocument.Output {
        guard case .json(let change) = input.body else { throw DocError.invalid("Expected a JSON body.") }
        let name = try change.name.map(DocumentName.validate)
        let (existing, access) = try await visibleDocument(input.path.documentId)
        try Self.requireChange(access, accessChange: change.clientAccess != nil)
        let (folders, documents) = (self.folders, self.documents)
        let updated = try await database.transaction { tx in
            let tree = FolderTree(try await folders.lockTree(account: existing.accountId, on: tx))
            guard var document = try await documents.document(id: existing.id, lock: true, on: tx) else {
                throw DocError.documentNotFound(existing.id)
            }
            if let name {
                document.name = name
                document.nameKey = name.lowercased()
            }
            if let folder = change.folderId {
                guard tree.byID[folder] != nil else { throw DocError.invalid("folderId \(folder) is not a folder of this account.") }
                document.folderId = folder
            }
            if let access = change.clientAccess { document.clientAccess = access.rawValue }
            document.updatedAt = EpochMillis.now()
            guard try await documents.update(document, on: tx) else { throw DocError.documentNameTaken(document.name) }
            return document
        }
        return .ok(.init(body: .json(updated.wire)))
    }

    func deleteDocument(_ input: Operations.DeleteDocument.Input) async throws -> Operations.DeleteDocument.Output {
        let (existing, access) = try await visibleDocument(input.path.documentId)
        try Self.requireChange(access, accessChange: false)
        let documents = self.documents
        // The row turns `deleted` with its event; the bytes go after the commit, and the row with
        // them. A failure in between leaves a `deleted` row that the sweep finishes.
        let deleted = try await outbox.transaction { tx in
            guard let document = try await documents.document(id: existing.id, lock: true, on: tx.sql) else { return false }
            try await documents.markDeleted(document.id, on: tx.sql)
            try await tx.publish(EventTypes.docDocumentDeleted, firmID: document.firmId, payload: DocumentDeletedEvent(
                documentId: document.id, accountId: document.accountId, folderId: document.folderId))
            return true
        }
        guard deleted else { throw DocError.documentNotFound(existing.id) }
        try await DocumentSweep(database: database, documents: documents, blobs: blobs).remove(existing)
        return .noContent(.init())
    }

    /// Served by `DocumentUploadRoute`, which streams the body; never registered.
    func uploadDocuments(_ input: Operations.UploadDocuments.Input) async throws -> Operations.UploadDocuments.Output {
        throw RuntimeError.routeNotFound(method: "POST", path: "/v1/accounts/{accountId}/folders/{folderId}/documents")
    }

    /// Served by `DocumentUploadRoute`, which streams the body; never registered.
    func uploadDocumentsToDefaultFolder(_ input: Operations.UploadDocumentsToDefaultFolder.Input) async throws
        -> Operations.UploadDocumentsToDefaultFolder.Output {
        throw RuntimeError.routeNotFound(method: "POST", path: DocumentUploadRoute.defaultFolderPath)
    }

    /// Served by `DocumentDownloadRoute`, which streams the bytes; never registered.
    func downloadDocument(_ input: Operations.DownloadDocument.Input) async throws -> Operations.DownloadDocument.Output {
        throw RuntimeError.routeNotFound(method: "GET", path: "/v1/documents/{documentId}/content")
    }
}

extension DocAPIHandler {
    /// The document and what the caller may do with it; 404 (the same as for a missing id) when
    /// the caller may not know it exists.
    func visibleDocument(_ id: String) async throws -> (DocumentRecord, DocumentAccess) {
        try await DocumentLookup(documents: documents, directory: directory, database: database).visible(id)
    }

    /// 403 unless `access` may change the document (and its client access, for `accessChange`).
    static func requireChange(_ access: DocumentAccess, accessChange: Bool) throws {
        guard access.mayChange else {
            throw DocError.notAllowed("Only owners, admins, team members with \"manage documents\" and, for documents they may edit, clients change documents.")
        }
        guard !accessChange || access == .manage else {
            throw DocError.notAllowed("Only owners, admins and team members with \"manage documents\" change a document's client access.")
        }
    }
}

/// Finds a document as one caller may see it; shared by the generated and the streaming routes.
struct DocumentLookup: Sendable {
    let documents: DocumentRepository
    let directory: any AccountDirectory
    let database: Database

    func visible(_ id: String) async throws -> (DocumentRecord, DocumentAccess) {
        let caller = try RequestScope.requireCaller()
        guard let document = try await documents.document(id: id, on: database.sql),
            let grant = try await directory.grant(for: document.accountId),
            case let access = DocumentAccess(caller, grant: grant, document: document), access != .hidden
        else { throw DocError.documentNotFound(id) }
        return (document, access)
    }
}
