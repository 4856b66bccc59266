import AsyncHTTPClient
import AtriumRuntime
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SQLKit
import Testing

/// SPEC "Documents": a zip uploaded from a computer is unpacked into its files and folders
/// (issue 13: every hostile archive refused with nothing left behind; nested folders unpacked
/// exactly). Over a live HTTP server on both engines; every archive is written by `HostileZips`.
@Suite("DocService: zip uploads unpacked into the account's folders")
struct DocZipUploadTests {
    typealias Docs = DocDocumentTests.Docs
    typealias Entry = HostileZips.Entry

    static let pdf = DocDocumentTests.pdf
    static let inner = HostileZips.archive([.file("../inner-evil.txt", text: "x"), .file("x/y.txt", text: "y")])
    static let notes = Array(String(repeating: "notes for the accountant\n", count: 200).utf8)

    /// Nested folders, empty folders, a unicode name, a nested zip and the junk macOS adds.
    static let good = HostileZips.archive([
        .folder("Taxes/"), .folder("Taxes/empty/"), .folder("Taxes/2024/Q1/"),
        .file("Taxes/2024/report.pdf", pdf, deflate: true), .file("Taxes/2024/notes.txt", notes, deflate: true),
        .file("report.pdf", pdf), .file("\u{DC}bersicht \u{2013} 2025.txt", text: "unicode"), .file("nested.zip", Array(inner)),
        .file("__MACOSX/._report.pdf", text: "junk"), .file("Taxes/.DS_Store", text: "junk"),
    ])

    /// The documents `good` holds, by path below the upload's folder.
    static let goodFiles: [String: [UInt8]] = [
        "Taxes/2024/report.pdf": pdf, "Taxes/2024/notes.txt": notes, "report.pdf": pdf,
        "\u{DC}bersicht \u{2013} 2025.txt": Array("unicode".utf8), "nested.zip": Array(inner),
    ]

    func withDocs(_ engine: TestEngine, overrides: [String: String] = [:], _ body: @escaping @Sendable (Docs) async throws -> Void) async throws {
        try await DocDocumentTests().withDocs(engine, overrides: overrides, body)
    }

    @Test("a zip with nested and empty folders and a unicode name unpacks exactly; again, it merges folders and suffixes names",
          arguments: TestEngine.all)
    func unpacks(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let inbox = try await docs.folder("Inbox")
            let first = try await docs.upload([("archive.bin", Array(Self.good), "application/octet-stream")], folder: inbox)
            #expect(first.status == 201, "\(first.json)")
            #expect(try await Self.folderPaths(docs) == ["Inbox", "Inbox/Taxes", "Inbox/Taxes/2024", "Inbox/Taxes/2024/Q1", "Inbox/Taxes/empty"])
            var listed = try await Self.documents(docs)
            #expect(Set(listed.keys) == Set(Self.goodFiles.keys.map { "Inbox/" + $0 }), "\(listed.keys.sorted())")
            for (path, expected) in Self.goodFiles {
                let document = try #require(listed["Inbox/" + path])
                let download = try await docs.send(.GET, "/v1/documents/\(document["id"] as? String ?? "")/content")
                #expect(download.status == 200 && Array(download.body) == expected, "\(path)")
            }
            #expect(listed["Inbox/nested.zip"]?["contentType"] as? String == "application/zip", "a nested zip stays a file")
            #expect(listed["Inbox/report.pdf"]?["contentType"] as? String == "application/pdf")

            let second = try await docs.upload([("archive.zip", Array(Self.good), "")], folder: inbox)
            #expect(second.status == 201, "\(second.json)")
            let third = try await docs.upload([("more.zip", Array(HostileZips.archive([.file("TAXES/2024/extra.txt", text: "more")])), "")],
                                              folder: inbox)
            #expect(third.status == 201, "\(third.json)")
            #expect(try await Self.folderPaths(docs) == ["Inbox", "Inbox/Taxes", "Inbox/Taxes/2024", "Inbox/Taxes/2024/Q1", "Inbox/Taxes/empty"],
                    "folders are merged, in any case")
            listed = try await Self.documents(docs)
            let suffixed = ["Inbox/report (1).pdf", "Inbox/Taxes/2024/report (1).pdf", "Inbox/Taxes/2024/notes (1).txt",
                            "Inbox/\u{DC}bersicht \u{2013} 2025 (1).txt", "Inbox/nested (1).zip", "Inbox/Taxes/2024/extra.txt"]
            #expect(Set(listed.keys) == Set(Self.goodFiles.keys.map { "Inbox/" + $0 } + suffixed), "\(listed.keys.sorted())")
            let again = try #require(listed["Inbox/Taxes/2024/report (1).pdf"]?["id"] as? String)
            #expect(Array(try await docs.send(.GET, "/v1/documents/\(again)/content").body) == Self.pdf)
        }
    }

    /// A hostile archive, the problem it must meet, and the entry the problem names.
    struct Hostile: Sendable, CustomTestStringConvertible {
        let label: String
        let entries: [Entry]
        var claimedCount: UInt16?
        let status: Int
        let slug: String
        let entry: String?
        var testDescription: String { label }
    }

    static let ok = Entry.file("Folder/ok.txt", text: "fine")

    /// Run with `zip.max.entries` 8 and `zip.max.bytes` 4 MiB.
    static let hostile: [Hostile] = [
        Hostile(label: "path escape", entries: [ok, .file("../evil.txt", text: "x")], status: 422, slug: "zip-unsafe-path", entry: "../evil.txt"),
        Hostile(label: "absolute path", entries: [ok, .file("/etc/evil", text: "x")], status: 422, slug: "zip-unsafe-path", entry: "/etc/evil"),
        Hostile(label: "drive letter", entries: [ok, .file("C:\\evil.txt", text: "x")], status: 422, slug: "zip-unsafe-path", entry: "C:\\evil.txt"),
        Hostile(label: "backslash", entries: [ok, .file("docs\\evil.txt", text: "x")], status: 422, slug: "zip-unsafe-path", entry: "docs\\evil.txt"),
        Hostile(label: "symlink", entries: [ok, Entry.file("link", text: "/etc/passwd").with { $0.attributes = 0o120777 << 16 }],
                status: 422, slug: "zip-link", entry: "link"),
        Hostile(label: "encrypted", entries: [ok, Entry.file("secret.txt", text: "xyzzy").with { $0.flags |= 1 }], status: 422,
                slug: "zip-encrypted", entry: "secret.txt"),
        Hostile(label: "too many entries", entries: (0...8).map { .file("Folder/f\($0).txt", text: "\($0)") }, status: 413,
                slug: "zip-too-large", entry: nil),
        Hostile(label: "bomb ratio", entries: [ok, .file("bomb.txt", Array(repeating: 0x41, count: 2 << 20), deflate: true)], status: 413,
                slug: "zip-too-large", entry: "bomb.txt"),
        Hostile(label: "over the total size", entries: [ok, Entry.file("big.txt", text: "abc", deflate: true).with { $0.declaredSize = 5 << 20 }],
                status: 413, slug: "zip-too-large", entry: "big.txt"),
        Hostile(label: "lying central directory", entries: [ok, .folder("Deep/"),
                Entry.file("Deep/small.txt", Array(repeating: 0, count: 256 << 10), deflate: true).with { $0.declaredSize = 1000 }],
                status: 422, slug: "zip-corrupt", entry: "Deep/small.txt"),
        Hostile(label: "wrong CRC-32", entries: [ok, Entry.file("Other/a.txt", text: "hello").with { $0.declaredCRC = 0xDEAD_BEEF }],
                status: 422, slug: "zip-corrupt", entry: "Other/a.txt"),
        Hostile(label: "duplicates", entries: [ok, .file("Folder/OK.txt", text: "2")], status: 422, slug: "zip-duplicate", entry: "Folder/OK.txt"),
    ]

    @Test("every hostile archive is refused with its problem, and leaves nothing: no folder, row, blob or spooled file",
          arguments: TestEngine.all)
    func hostileLeavesNothing(engine: TestEngine) async throws {
        let limits = ["ATRIUM_ZIP_MAX_ENTRIES": "8", "ATRIUM_ZIP_MAX_BYTES": String(4 << 20)]
        try await withDocs(engine, overrides: limits) { docs in
            let inbox = try await docs.folder("Inbox")
            #expect(try await docs.upload([("kept.pdf", Self.pdf, "")], folder: inbox).status == 201)
            let before = try await Self.snapshot(docs)
            for hostile in Self.hostile {
                let archive = HostileZips.archive(hostile.entries, claimedCount: hostile.claimedCount)
                // A good file first: the whole request goes, not only the zip.
                let (status, json) = try await docs.upload([("first.pdf", Self.pdf, ""), ("hostile.zip", Array(archive), "")], folder: inbox)
                #expect(status == hostile.status, "\(hostile.label): \(json)")
                #expect(json["type"] as? String == "https://atrium.dev/problems/\(hostile.slug)", "\(hostile.label): \(json)")
                if let entry = hostile.entry {
                    #expect((json["detail"] as? String)?.contains("\"\(entry)\"") == true, "\(hostile.label): \(json)")
                }
                #expect(try await Self.snapshot(docs) == before, "\(hostile.label) left something behind")
            }
        }
    }

    @Test("unzip=false keeps a zip as one document, whether the field comes before the file or after it; Office files are never unpacked",
          arguments: TestEngine.all)
    func keptWhole(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let inbox = try await docs.folder("Inbox")
            let before = try await docs.upload([("archive.zip", Array(Self.good), "")], fields: ["unzip": "false"], folder: inbox)
            #expect(before.status == 201, "\(before.json)")
            let after = try await Self.uploadFieldLast(docs, name: "late.zip", bytes: Array(Self.good), field: ("unzip", "false"), folder: inbox)
            #expect(after.status == 201, "\(String(decoding: after.body, as: UTF8.self))")
            let docx = HostileZips.archive([.file("[Content_Types].xml", text: "<Types/>"), .file("word/document.xml", text: "<w/>")])
            #expect(try await docs.upload([("letter.docx", Array(docx), "")], folder: inbox).status == 201)
            let odt = HostileZips.archive([.file("mimetype", text: "application/vnd.oasis.opendocument.text"), .file("content.xml", text: "<o/>")])
            #expect(try await docs.upload([("letter.bin", Array(odt), "")], folder: inbox).status == 201)
            #expect(try await Self.folderPaths(docs) == ["Inbox"], "nothing unpacked")
            let listed = try await Self.documents(docs)
            #expect(Set(listed.keys) == ["Inbox/archive.zip", "Inbox/late.zip", "Inbox/letter.docx", "Inbox/letter.bin"])
            #expect(listed["Inbox/archive.zip"]?["contentType"] as? String == "application/zip")
            for name in ["archive.zip", "late.zip"] {
                let id = try #require(listed["Inbox/" + name]?["id"] as? String)
                #expect(Array(try await docs.send(.GET, "/v1/documents/\(id)/content").body) == Array(Self.good), "\(name)")
            }
            #expect(Self.spooled(docs).isEmpty)
            #expect(try await docs.upload([("a.zip", Array(Self.good), "")], fields: ["unzip": "maybe"], folder: inbox).status == 400)
        }
    }

    @Test("the folder tree's depth limit counts the upload's folder: 20 levels in all")
    func depth() async throws {
        try await withDocs(.sqlite) { docs in
            var parent: String?
            for level in 1...18 {
                var body: [String: Any] = ["name": "L\(level)"]
                body["parentId"] = parent
                parent = try #require((try await docs.json(.POST, "/v1/accounts/acct_1/folders", body)).1["id"] as? String)
            }
            let deepest = try #require(parent)
            let fits = HostileZips.archive([.file("a/b/fits.txt", text: "ok")])
            #expect(try await docs.upload([("fits.zip", Array(fits), "")], folder: deepest).status == 201)
            let tooDeep = HostileZips.archive([.file("c/d/e/deep.txt", text: "no")])
            let (status, json) = try await docs.upload([("deep.zip", Array(tooDeep), "")], folder: deepest)
            #expect(status == 422 && json["type"] as? String == "https://atrium.dev/problems/zip-invalid-name", "\(json)")
            #expect(try await Self.folderPaths(docs).count == 20)
        }
    }
}

// MARK: - Helpers

extension DocZipUploadTests {
    /// What an upload may leave behind.
    struct Snapshot: Equatable {
        var folders: [String]
        var documents: [String]
        var documentRows: Int
        var folderRows: Int
        var blobFiles: Set<String>
        var spooled: [String]
    }

    static func snapshot(_ docs: Docs) async throws -> Snapshot {
        let (documentRows, folderRows) = try await rowCounts(docs.storage)
        return Snapshot(folders: try await folderPaths(docs), documents: try await documents(docs).keys.sorted(), documentRows: documentRows,
                        folderRows: folderRows, blobFiles: Set(docs.blobFiles), spooled: spooled(docs))
    }

    /// Every row of `documents` and `folders`, whatever its status, read straight from the database.
    static func rowCounts(_ storage: TestStorage) async throws -> (Int, Int) {
        let database = try await Database.open(url: storage.engine.postgresURL, schema: storage.schemaPrefix + "doc",
                                               sqlitePath: storage.directory.appendingPathComponent("doc.sqlite").path, logger: Logger(label: "zip-test"))
        do {
            let count = { (table: String) in
                try await database.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            let counts = (try await count("documents"), try await count("folders"))
            try await database.close()
            return counts
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// Files in the spool (`<data.dir>/uploads`).
    static func spooled(_ docs: Docs) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: docs.storage.directory.appendingPathComponent("uploads").path)) ?? []
    }

    static func folderPaths(_ docs: Docs) async throws -> [String] {
        let (_, json) = try await docs.json(.GET, "/v1/accounts/acct_1/folders")
        return (json["items"] as? [[String: Any]])?.compactMap { $0["path"] as? String } ?? []
    }

    /// The account's documents by folder path and name.
    static func documents(_ docs: Docs) async throws -> [String: [String: Any]] {
        let (_, folders) = try await docs.json(.GET, "/v1/accounts/acct_1/folders")
        var paths: [String: String] = [:]
        for folder in folders["items"] as? [[String: Any]] ?? [] {
            paths[folder["id"] as? String ?? ""] = folder["path"] as? String
        }
        let (status, json) = try await docs.json(.GET, "/v1/accounts/acct_1/documents?limit=200")
        #expect(status == 200 && json["nextCursor"] == nil, "\(json)")
        var byPath: [String: [String: Any]] = [:]
        for item in json["items"] as? [[String: Any]] ?? [] {
            byPath["\(paths[item["folderId"] as? String ?? ""] ?? "?")/\(item["name"] as? String ?? "")"] = item
        }
        return byPath
    }

    /// An upload whose form field comes after its file part.
    static func uploadFieldLast(_ docs: Docs, name: String, bytes: [UInt8], field: (String, String), folder: String) async throws
        -> (status: Int, headers: HTTPHeaders, body: Data)
    {
        let boundary = Multipart.lastBoundary
        let (_, files) = Multipart.body([(name, bytes, "")], fields: [:], boundary: boundary)
        let closing = Array("--\(boundary)--\r\n".utf8)
        let body = Array(files.dropLast(closing.count))
            + Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.0)\"\r\n\r\n\(field.1)\r\n".utf8) + closing
        var request = HTTPClientRequest(url: docs.base + "/v1/accounts/acct_1/folders/\(folder)/documents")
        request.method = .POST
        request.headers.add(name: "authorization", value: docs.owner)
        request.headers.add(name: "content-type", value: "multipart/form-data; boundary=\(boundary)")
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await Docs.run(request)
    }
}
