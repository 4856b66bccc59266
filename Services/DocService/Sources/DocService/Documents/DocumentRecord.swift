import AtriumRuntime
import DocAPI
import Foundation

/// What the account's contacts may do with a document (SPEC "Documents": none, can view, can view and edit).
enum ClientAccess: String, Codable, Sendable {
    case none, view, edit
}

/// A document as stored. `status` is `uploading` while its bytes stream in, `ready` after, and
/// `deleted` between a delete's commit and the removal of its bytes.
struct DocumentRecord: Codable, Sendable, Equatable {
    static let uploading = "uploading"
    static let ready = "ready"
    /// Deleted: invisible, its bytes and row about to be removed.
    static let deleted = "deleted"

    var id: String
    var firmId: String
    var accountId: String
    var folderId: String
    var name: String
    var nameKey: String
    var size: Int64
    var contentType: String
    var sha256: String
    var blobKey: String
    var uploaderId: String
    /// `member`, `contact` or `service` (`Caller.Kind`).
    var uploaderKind: String
    var clientAccess: String
    var threadId: String?
    var status: String
    var createdAt: Int64
    var updatedAt: Int64

    var access: ClientAccess { ClientAccess(rawValue: clientAccess) ?? .none }

    var wire: Components.Schemas.Document {
        .init(
            id: id, accountId: accountId, folderId: folderId, name: name, size: size, contentType: contentType, sha256: sha256,
            uploadedBy: .init(id: uploaderId, kind: .init(rawValue: uploaderKind) ?? .member),
            clientAccess: Components.Schemas.ClientAccess(rawValue: clientAccess) ?? Components.Schemas.ClientAccess.none, threadId: threadId,
            createdAt: EpochMillis.date(millis: createdAt), updatedAt: EpochMillis.date(millis: updatedAt))
    }
}

/// What `doc.document.uploaded` carries (`DocumentUploadedEvent`): no bytes, no secrets.
struct DocumentUploadedEvent: Codable, Sendable {
    var documentId: String
    var accountId: String
    var folderId: String
    var name: String
    var uploaderId: String
    var uploaderKind: String
    var threadId: String?
    var contentType: String
    var size: Int64
}

/// What `doc.document.deleted` carries (`DocumentDeletedEvent`).
struct DocumentDeletedEvent: Codable, Sendable {
    var documentId: String
    var accountId: String
    var folderId: String
}
