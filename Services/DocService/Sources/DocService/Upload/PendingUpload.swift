import AtriumRuntime
import Foundation

/// What one upload request has written so far, and what it asked for.
struct PendingUpload: Sendable {
    let caller: Caller
    let folder: FolderRecord
    /// Every document row written, in the order written (each one's blob may be there too).
    var documents: [PendingDocument] = []
    /// Zip parts written to the spool, to unpack (or keep whole) once every field is read.
    var archives: [SpooledArchive] = []
    /// Folders the unpacked zips carry, as paths below `folder`, each one's parent before it.
    var archiveFolders: [String] = []
    /// File parts seen so far.
    var parts = 0
    var requestedAccess: ClientAccess = .none
    var threadID: String?
    /// The `unzip` field: nil when the request did not say (zips are unpacked).
    var unzip: Bool?

    /// A contact's uploads are theirs to see and edit; the team chooses (default: hidden from clients).
    var clientAccess: ClientAccess { caller.kind == .contact ? .edit : requestedAccess }

    mutating func setField(_ name: String, _ value: String) throws {
        switch name {
        case "clientAccess":
            guard let access = ClientAccess(rawValue: value) else { throw DocError.invalid("clientAccess must be none, view or edit.") }
            requestedAccess = access
        case "threadId":
            // Only its shape is checked here: that the thread is the account's is the chat service's
            // to say, and is checked when chat attachments are built (until then it is only recorded).
            guard value.isEmpty || Identifier.isWellFormed(value, prefix: "thr") else {
                throw DocError.invalid("threadId must be a thread id (thr_ and 28 hex digits).")
            }
            threadID = value.isEmpty ? nil : value
        case "unzip":
            guard let flag = Bool(value.lowercased()) else { throw DocError.invalid("unzip must be true or false.") }
            unzip = flag
        default:
            break
        }
    }

    /// A new row `uploading` in the upload's folder (a zip's file moves to its own folder when committed).
    func newDocument(name: String) -> DocumentRecord {
        let now = EpochMillis.now()
        return DocumentRecord(
            id: Identifier.make("doc"), firmId: folder.firmId, accountId: folder.accountId, folderId: folder.id, name: name,
            nameKey: "\(Identifier.make("up"))", size: 0, contentType: "application/octet-stream", sha256: "",
            blobKey: Identifier.make("blob"), uploaderId: caller.subject, uploaderKind: caller.kind.rawValue,
            clientAccess: clientAccess.rawValue, threadId: nil, status: DocumentRecord.uploading, createdAt: now, updatedAt: now)
    }

    /// Records a row just inserted (before its bytes are stored, so a failure removes it too).
    mutating func add(_ record: DocumentRecord, part: Int, archivePath: String? = nil) {
        documents.append(PendingDocument(record: record, part: part, archivePath: archivePath))
    }

    /// Saves what storing the bytes of the last row added learnt (size, digest, type).
    mutating func updateLast(_ record: DocumentRecord) {
        documents[documents.count - 1].record = record
    }

    /// The documents in the order of their parts (a zip's files in its place, in path order).
    var inPartOrder: [PendingDocument] {
        documents.enumerated().sorted { ($0.element.part, $0.offset) < ($1.element.part, $1.offset) }.map(\.element)
    }
}

/// One document row of an upload.
struct PendingDocument: Sendable {
    var record: DocumentRecord
    /// The file part it came from (counted from 1).
    var part: Int
    /// For a file out of a zip: its folder as a path below the upload's folder, "" for that folder itself.
    var archivePath: String?
}

/// A zip part written to the spool.
struct SpooledArchive: Sendable {
    /// The part's file name, sanitised.
    var name: String
    var path: String
    /// The first bytes, for sniffing the document when the zip is kept whole.
    var head: [UInt8]
    var part: Int
}
