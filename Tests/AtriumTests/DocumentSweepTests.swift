import AtriumRuntime
@testable import DocService
import Foundation
import Logging
import SQLKit
import NIOCore
import Testing

/// What a crash between an upload's bytes and its row (or a delete's commit and its bytes) leaves
/// is removed by the sweep; nothing younger than the cut-off and nothing ready is touched.
@Suite("DocService: the sweep of abandoned uploads")
struct DocumentSweepTests {
    @Test("the sweep removes old `uploading` rows and `deleted` rows with their blobs, and keeps the rest", arguments: TestEngine.all)
    func sweep(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = storage.track(try await Database.open(url: engine.postgresURL, schema: storage.schemaPrefix + "doc",
                                                   sqlitePath: storage.directory.appendingPathComponent("doc.sqlite").path, logger: Logger(label: "sweep")))
            do {
                try await Migrator(database: database).run(DocMigrations.all)
                let blobs = try await LocalBlobStore(root: storage.directory.appendingPathComponent("blobs").path)
                let documents = DocumentRepository(forUpdate: database.forUpdate)
                let hourAgo = EpochMillis.now() - 3_600_000
                var rows: [String: DocumentRecord] = [:]
                for (name, status, created) in [("crashed", DocumentRecord.uploading, hourAgo), ("live", DocumentRecord.uploading, EpochMillis.now()),
                                                ("deleted", DocumentRecord.deleted, EpochMillis.now()), ("ready", DocumentRecord.ready, hourAgo)] {
                    let row = DocumentRecord(
                        id: Identifier.make("doc"), firmId: "firm_test", accountId: "acct_1", folderId: "fld_1", name: name, nameKey: name,
                        size: 3, contentType: "text/plain", sha256: "", blobKey: Identifier.make("blob"), uploaderId: "mem_1",
                        uploaderKind: "member", clientAccess: "none", threadId: nil, status: status, createdAt: created, updatedAt: created)
                    _ = try await blobs.put(try BlobKey(row.blobKey), body: [ByteBuffer(string: "abc")].async)
                    try await documents.insert(row, on: database.sql)
                    rows[name] = row
                }
                let removed = try await DocumentSweep(database: database, documents: documents, blobs: blobs)
                    .run(before: Date().addingTimeInterval(-60))
                #expect(removed == 2)
                for (name, row) in rows {
                    let kept = name == "live" || name == "ready"
                    let stored = try await database.sql.select().column("id").from("documents").where("id", .equal, row.id).first()
                    #expect((stored != nil) == kept, "\(name)")
                    let blob = try? await blobs.get(try BlobKey(row.blobKey), range: nil)
                    #expect((blob != nil) == kept, "\(name)")
                }
                try await database.close()
            } catch {
                try? await database.close()
                throw error
            }
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
