import AtriumRuntime
import Foundation
import NIOCore

/// Which uploaded files are zips to unpack (docs/DECISIONS.md, "Zip uploads").
enum ZipUpload {
    /// Formats that are zips inside but documents to their users: kept whole whatever their bytes.
    static let documentExtensions: Set<String> = [
        ".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".xltx", ".pptx", ".pptm", ".potx", ".vsdx", ".xps", ".oxps",
        ".odt", ".ods", ".odp", ".odg", ".odf", ".epub", ".pages", ".numbers", ".key", ".jar", ".apk", ".ipa", ".aab",
        ".xpi", ".kmz", ".sketch", ".3mf", ".usdz", ".whl", ".nupkg",
    ]

    /// True when the bytes are a plain zip: the signature (sniffed, never the client's type),
    /// and neither an Office document (sniffed), an OpenDocument or EPUB (a first entry named
    /// `mimetype`), nor a file whose extension names a zip-based document format.
    static func isArchive(_ head: [UInt8], name: String) -> Bool {
        guard ContentSniffer.sniff(head, name: name) == "application/zip" else { return false }
        let mimetype = Array("mimetype".utf8)
        if head.count >= 30 + mimetype.count, head[30..<(30 + mimetype.count)].elementsEqual(mimetype) { return false }
        return !documentExtensions.contains(DocumentName.split(name).ext.lowercased())
    }
}

extension DocumentUploadRoute {
    /// Unpacks each spooled zip (or, when the request said `unzip=false` after the zip's part,
    /// stores it whole) into `upload`: refused whole by its plan, or each file streamed into the
    /// blob store behind an `uploading` row, in the plan's order. Its folders are created at commit.
    func openArchives(into upload: inout PendingUpload) async throws {
        for archive in upload.archives {
            if upload.unzip == false {
                try await store(SpooledFile(path: archive.path), head: HeadRecorder(archive.head), name: archive.name, part: archive.part,
                                into: &upload)
            } else {
                try await unpack(archive, into: &upload)
            }
        }
    }

    private func unpack(_ archive: SpooledArchive, into upload: inout PendingUpload) async throws {
        let tree = FolderTree(try await folders.folders(account: upload.folder.accountId, on: database.sql))
        var limits = zipLimits
        // The folder tree's depth limit counts from the top: the upload's folder uses some of it.
        limits.maxDepth = max(0, min(limits.maxDepth, FolderTree.maxDepth - ArchiveFolders.depth(of: upload.folder.id, in: tree)))
        let source: ZipSource
        do {
            source = try ZipSource.file(at: archive.path)
        } catch {
            throw BlobStoreError.unavailable("open \(archive.path): \(error)")
        }
        let plan = try ZipInspector.plan(source, limits: limits)
        upload.archiveFolders += plan.folders
        do {
            _ = try await ZipExtractor.extract(plan, from: source) { file, bytes in
                let head = HeadRecorder()
                try await store(EntryChunks(bytes: bytes, head: head), head: head, name: file.name, part: archive.part,
                                archivePath: file.folder, into: &upload)
            }
        } catch let error as ZipStoreError {
            // The store's own failure (the blob store, a cancelled request) is reported as itself.
            throw error.underlying
        }
    }
}

/// One zip entry's bytes as `ByteBuffer`s for the blob store, keeping the first ones for sniffing.
/// Ends only after the extractor confirmed the entry's size and CRC-32.
struct EntryChunks: AsyncSequence {
    typealias Element = ByteBuffer
    let bytes: ZipEntryBytes
    let head: HeadRecorder

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: ZipEntryBytes.AsyncIterator
        let head: HeadRecorder

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try await base.next() else { return nil }
            let chunk = ByteBuffer(bytes: data)
            head.record(chunk)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: bytes.makeAsyncIterator(), head: head) }
}
