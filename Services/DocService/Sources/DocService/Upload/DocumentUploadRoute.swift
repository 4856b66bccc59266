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
/// bytes go to the blob store as they arrive. A part whose bytes are a zip goes to the spool
/// instead and, once every part is read, is unpacked (`unzip`, default true) into folders and
/// documents, or kept whole. At the end one transaction creates the zips' folders, names every
/// document (suffixing clashes), marks them ready and publishes `doc.document.uploaded` for
/// each. Any failure on the way deletes what this request wrote: the request is all or nothing.
struct DocumentUploadRoute: Sendable {
    static let path = "/v1/accounts/{accountId}/folders/{folderId}/documents"
    /// The same upload into the account's default folder (`DefaultFolder`): a chat's attachments.
    static let defaultFolderPath = "/v1/accounts/{accountId}/documents"
    /// Non-file fields are small; more than this is refused.
    static let maxFieldBytes = 1024

    let database: Database
    let outbox: Outbox
    let folders: any FolderRepository
    let documents: DocumentRepository
    let blobs: any BlobStore
    let directory: any AccountDirectory
    let maxBytes: Int
    /// Where zips wait to be unpacked, and how much one may hold.
    let spool: UploadSpool
    let zipLimits: ZipLimits
    /// Where a `threadId` field is checked against the account.
    let threads: any ThreadCheck

    func register(on router: Router<BasicRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in try await handle(request, context: context) }
        router.post(RouterPath(Self.defaultFolderPath)) { request, context in try await handle(request, context: context) }
    }

    func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let caller = try RequestScope.requireCaller()
        let accountID = try context.parameters.require("accountId")
        guard let grant = try await directory.grant(for: accountID, visibleTo: caller) else { throw DocError.accountNotFound(accountID) }
        guard caller.mayUpload(to: grant) else {
            throw DocError.notAllowed("Only owners, admins, team members with \"manage documents\" and the account's clients upload.")
        }
        let folder: FolderRecord
        if let folderID = context.parameters.get("folderId") {
            guard let named = try await folders.folder(id: folderID, on: database.sql), named.accountId == grant.accountID else {
                throw DocError.folderNotFound(folderID)
            }
            folder = named
        } else {
            folder = try await DefaultFolder(database: database, folders: folders).resolve(grant, by: caller)
        }
        let boundary = try Self.boundary(request.headers[.contentType])
        var upload = PendingUpload(caller: caller, folder: folder)
        do {
            try await receive(request.body, boundary: boundary, into: &upload)
            if let thread = upload.threadID, try await !threads.thread(thread, belongsTo: grant.accountID) {
                throw DocError.invalid("threadId \(thread) is not a chat thread of this account.")
            }
            try await openArchives(into: &upload)
            let created = try await commit(upload)
            await removeSpooled(upload)
            return try Self.created(created)
        } catch {
            await discard(upload)
            throw error
        }
    }

    /// Streams every part: files to the blob store (each behind an `uploading` row) or, when they
    /// are zips that may be unpacked, to the spool; fields into `upload`.
    private func receive(_ body: RequestBody, boundary: String, into upload: inout PendingUpload) async throws {
        let reader = MultipartReader(body: body, boundary: boundary, maxBytes: maxBytes)
        while let headers = try await reader.nextPart() {
            let disposition = HeaderParameters.parse(headers["content-disposition"] ?? "")
            guard let filename = disposition["filename"] else {
                try upload.setField(disposition["name"] ?? "", try await Self.field(reader))
                continue
            }
            upload.parts += 1
            let name = DocumentName.sanitize(filename)
            let bytes = try await PartBytes.sniffing(reader)
            if upload.unzip != false, ZipUpload.isArchive(bytes.head.bytes, name: name) {
                let path = try await spool.write(bytes)
                upload.archives.append(SpooledArchive(name: name, path: path, head: bytes.head.bytes, part: upload.parts))
            } else {
                try await store(bytes, head: bytes.head, name: name, part: upload.parts, into: &upload)
            }
        }
        guard upload.parts > 0 else { throw DocError.invalid("The upload has no file part (a part with a filename).") }
    }

    /// Writes one document: its row `uploading` first, then its bytes, then what they turned out to be.
    func store<Bytes: AsyncSequence>(
        _ bytes: Bytes, head: HeadRecorder, name: String, part: Int, archivePath: String? = nil, into upload: inout PendingUpload
    ) async throws where Bytes.Element == ByteBuffer {
        var document = upload.newDocument(name: name)
        try await documents.insert(document, on: database.sql)
        upload.add(document, part: part, archivePath: archivePath)
        let stored = try await blobs.put(try BlobKey(document.blobKey), body: bytes)
        document.size = stored.size
        document.sha256 = stored.sha256
        document.contentType = ContentSniffer.sniff(head.bytes, name: document.name)
        upload.updateLast(document)
    }

    /// Creates the zips' folders, names, readies and announces every document, in one transaction.
    private func commit(_ upload: PendingUpload) async throws -> [DocumentRecord] {
        let (folders, documents) = (self.folders, self.documents)
        let access = upload.clientAccess
        let thread = upload.threadID
        return try await outbox.transaction { tx in
            let tree = FolderTree(try await folders.lockTree(account: upload.folder.accountId, on: tx.sql))
            guard tree.byID[upload.folder.id] != nil else { throw DocError.folderNotFound(upload.folder.id) }
            var placed = ArchiveFolders(target: upload.folder, tree: tree, creator: upload.caller.subject, folders: folders)
            for path in upload.archiveFolders {
                _ = try await placed.id(of: path, on: tx.sql)
            }
            var ready: [DocumentRecord] = []
            for pending in upload.inPartOrder {
                var document = pending.record
                if let path = pending.archivePath { document.folderId = try await placed.id(of: path, on: tx.sql) }
                document.clientAccess = access.rawValue
                document.threadId = thread
                document = try await Self.finish(document, documents: documents, on: tx.sql)
                try await tx.publish(EventTypes.docDocumentUploaded, firmID: document.firmId, payload: DocumentUploadedEvent(
                    documentId: document.id, accountId: document.accountId, folderId: document.folderId, name: document.name,
                    uploaderId: document.uploaderId, uploaderKind: document.uploaderKind, threadId: document.threadId,
                    contentType: document.contentType, size: document.size))
                ready.append(document)
            }
            return ready
        }
    }

    /// Marks the document ready under the first free name (`name`, `name (1).ext`, …; `UniqueName`);
    /// a concurrent upload taking that name between the read and the write makes it look again.
    private static func finish(_ document: DocumentRecord, documents: DocumentRepository, on db: any SQLDatabase) async throws -> DocumentRecord {
        var document = document
        let wanted = document.name
        let prefix = UniqueName.strippingCounter(UniqueName.split(wanted).stem).lowercased()
        for _ in 0..<5 {
            let taken = try await documents.nameKeys(in: document.folderId, startingWith: prefix, on: db)
            document.name = UniqueName.make(wanted, avoiding: taken, maxLength: DocumentName.maxLength)
            document.nameKey = document.name.lowercased()
            document.updatedAt = EpochMillis.now()
            if try await documents.finish(document, on: db) { return document }
        }
        throw DocError.documentNameTaken(wanted)
    }

    /// Removes the bytes and rows of a failed upload, and its spooled zips; best effort (the sweep
    /// takes what is left).
    private func discard(_ upload: PendingUpload) async {
        let sweep = DocumentSweep(database: database, documents: documents, blobs: blobs)
        for document in upload.documents {
            try? await sweep.remove(document.record)
        }
        await removeSpooled(upload)
    }

    private func removeSpooled(_ upload: PendingUpload) async {
        for archive in upload.archives {
            await spool.remove(archive.path)
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
