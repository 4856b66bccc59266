import AtriumRuntime
import Contracts
import DocAPI
import Foundation
import Hummingbird
import NIOCore
import SQLKit

/// `POST /v1/accounts/{accountId}/folders/{folderId}/documents`: a streamed multipart upload.
///
/// Each file part gets a row `uploading` (so a crash leaves a row the sweep finds), then its
/// bytes go to the blob store as they arrive; at the end one transaction names every document
/// (suffixing clashes), marks them ready and publishes `doc.document.uploaded` for each. Any
/// failure on the way deletes what this request wrote: the request is all or nothing.
struct DocumentUploadRoute: Sendable {
    static let path = "/v1/accounts/{accountId}/folders/{folderId}/documents"
    /// Non-file fields are small; more than this is refused.
    static let maxFieldBytes = 1024

    let database: Database
    let outbox: Outbox
    let folders: any FolderRepository
    let documents: DocumentRepository
    let blobs: any BlobStore
    let directory: any AccountDirectory
    let maxBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in try await handle(request, context: context) }
    }

    func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let caller = try RequestScope.requireCaller()
        let accountID = try context.parameters.require("accountId")
        let folderID = try context.parameters.require("folderId")
        guard let grant = try await directory.grant(for: accountID, visibleTo: caller) else { throw DocError.accountNotFound(accountID) }
        guard caller.mayUpload(to: grant) else {
            throw DocError.notAllowed("Only owners, admins, team members with \"manage documents\" and the account's clients upload.")
        }
        guard let folder = try await folders.folder(id: folderID, on: database.sql), folder.accountId == grant.accountID else {
            throw DocError.folderNotFound(folderID)
        }
        let boundary = try Self.boundary(request.headers[.contentType])
        var upload = PendingUpload(caller: caller, folder: folder)
        do {
            try await receive(request.body, boundary: boundary, into: &upload)
            let created = try await commit(upload)
            return try Self.created(created)
        } catch {
            await discard(upload)
            throw error
        }
    }

    /// Streams every part: files to the blob store (each behind an `uploading` row), fields into `upload`.
    private func receive(_ body: RequestBody, boundary: String, into upload: inout PendingUpload) async throws {
        let reader = MultipartReader(body: body, boundary: boundary, maxBytes: maxBytes)
        while let headers = try await reader.nextPart() {
            let disposition = HeaderParameters.parse(headers["content-disposition"] ?? "")
            guard let filename = disposition["filename"] else {
                try upload.setField(disposition["name"] ?? "", try await Self.field(reader))
                continue
            }
            var document = upload.newDocument(name: DocumentName.sanitize(filename))
            try await documents.insert(document, on: database.sql)
            upload.documents.append(document)
            let head = HeadRecorder()
            let stored = try await blobs.put(try BlobKey(document.blobKey), body: PartBytes(reader: reader, head: head))
            document.size = stored.size
            document.sha256 = stored.sha256
            document.contentType = ContentSniffer.sniff(head.bytes, name: document.name)
            upload.documents[upload.documents.count - 1] = document
        }
        guard !upload.documents.isEmpty else { throw DocError.invalid("The upload has no file part (a part with a filename).") }
    }

    /// Names, readies and announces every document in one transaction.
    private func commit(_ upload: PendingUpload) async throws -> [DocumentRecord] {
        let (folders, documents) = (self.folders, self.documents)
        let access = upload.clientAccess
        let thread = upload.threadID
        return try await outbox.transaction { tx in
            _ = try await folders.lockTree(account: upload.folder.accountId, on: tx.sql)
            guard try await folders.folder(id: upload.folder.id, on: tx.sql) != nil else { throw DocError.folderNotFound(upload.folder.id) }
            var ready: [DocumentRecord] = []
            for var document in upload.documents {
                document.clientAccess = access.rawValue
                document.threadId = thread
                document = try await Self.finish(document, documents: documents, on: tx.sql)
                try await tx.publish(EventTypes.docDocumentUploaded, firmID: document.firmId, payload: DocumentUploadedEvent(
                    documentId: document.id, accountId: document.accountId, folderId: document.folderId, name: document.name,
                    uploaderId: document.uploaderId, uploaderKind: document.uploaderKind, threadId: document.threadId))
                ready.append(document)
            }
            return ready
        }
    }

    /// Marks the document ready under the first free name (`name`, `name (1).ext`, …); a
    /// concurrent upload taking that name between the read and the write makes it look again.
    private static func finish(_ document: DocumentRecord, documents: DocumentRepository, on db: any SQLDatabase) async throws -> DocumentRecord {
        var document = document
        let wanted = document.name
        for _ in 0..<5 {
            let taken = try await documents.nameKeys(in: document.folderId, startingWith: DocumentName.split(wanted).base.lowercased(), on: db)
            document.name = DocumentName.free(wanted, taken: taken)
            document.nameKey = document.name.lowercased()
            document.updatedAt = EpochMillis.now()
            if try await documents.finish(document, on: db) { return document }
        }
        throw DocError.documentNameTaken(wanted)
    }

    /// Removes the bytes and rows of a failed upload; best effort (the sweep takes what is left).
    private func discard(_ upload: PendingUpload) async {
        let sweep = DocumentSweep(database: database, documents: documents, blobs: blobs)
        for document in upload.documents {
            try? await sweep.remove(document)
        }
    }

    private static func field<B>(_ reader: MultipartReader<B>) async throws -> String {
        var bytes = ByteBuffer()
        while let chunk = try await reader.nextChunk() {
            bytes.writeImmutableBuffer(chunk)
            guard bytes.readableBytes <= maxFieldBytes else { throw DocError.invalid("A form field is longer than \(maxFieldBytes) bytes.") }
        }
        return String(buffer: bytes)
    }

    /// The boundary of a `multipart/form-data` content type; 415 for any other type.
    static func boundary(_ contentType: String?) throws -> String {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = HeaderParameters.parse(contentType)["boundary"], (1...70).contains(boundary.utf8.count)
        else { throw DocError.unsupportedMediaType("Upload documents as multipart/form-data with a boundary.") }
        return boundary
    }

    private static func created(_ documents: [DocumentRecord]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(Components.Schemas.DocumentList(items: documents.map(\.wire)))
        return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// What one upload request has written so far.
struct PendingUpload: Sendable {
    let caller: Caller
    let folder: FolderRecord
    var documents: [DocumentRecord] = []
    var requestedAccess: ClientAccess = .none
    var threadID: String?

    /// A contact's uploads are theirs to see and edit; the team chooses (default: hidden from clients).
    var clientAccess: ClientAccess { caller.kind == .contact ? .edit : requestedAccess }

    mutating func setField(_ name: String, _ value: String) throws {
        switch name {
        case "clientAccess":
            guard let access = ClientAccess(rawValue: value) else { throw DocError.invalid("clientAccess must be none, view or edit.") }
            requestedAccess = access
        case "threadId":
            threadID = value.isEmpty ? nil : value
        default:
            break
        }
    }

    func newDocument(name: String) -> DocumentRecord {
        let now = EpochMillis.now()
        return DocumentRecord(
            id: Identifier.make("doc"), firmId: folder.firmId, accountId: folder.accountId, folderId: folder.id, name: name,
            nameKey: "\(Identifier.make("up"))", size: 0, contentType: "application/octet-stream", sha256: "",
            blobKey: Identifier.make("blob"), uploaderId: caller.subject, uploaderKind: caller.kind.rawValue,
            clientAccess: clientAccess.rawValue, threadId: nil, status: DocumentRecord.uploading, createdAt: now, updatedAt: now)
    }
}
