import AccountService
import AsyncHTTPClient
import AtriumRuntime
@testable import DocService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

/// Documents in DocService (SPEC "Documents"): streamed multipart uploads, downloads with ranges
/// and ETags, metadata routes, and who sees what — over a live HTTP server on both engines.
@Suite("DocService: documents — upload, download, access")
struct DocDocumentTests {
    static let directory = DocFolderTests.directory

    /// A live DocService and the calls the tests make to it.
    struct Docs {
        let base: String
        let owner: String
        let storage: TestStorage

        func send(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil, headers: [(String, String)] = [], as token: String? = nil)
            async throws -> (status: Int, headers: HTTPHeaders, body: Data)
        {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            request.headers.add(name: "authorization", value: token ?? owner)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let json {
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
            }
            return try await Self.run(request)
        }

        /// Uploads `files` (name, bytes, claimed type) with extra form `fields`; `stream` sends them chunked.
        /// Without a `folder`, into the account's default folder.
        func upload(_ files: [(String, [UInt8], String)], fields: [String: String] = [:], folder: String?, account: String = "acct_1",
                    as token: String? = nil, key: String? = nil, stream: Bool = false) async throws -> (status: Int, json: [String: Any]) {
            let (boundary, body) = Multipart.body(files, fields: fields)
            let path = folder.map { "/v1/accounts/\(account)/folders/\($0)/documents" } ?? "/v1/accounts/\(account)/documents"
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "authorization", value: token ?? owner)
            request.headers.add(name: "content-type", value: "multipart/form-data; boundary=\(boundary)")
            if let key { request.headers.add(name: "idempotency-key", value: key) }
            request.body = stream ? .stream(Chunks(bytes: body, failAfter: nil), length: .unknown) : .bytes(ByteBuffer(bytes: body))
            let answer = try await Self.run(request)
            return (answer.status, (try? JSON.object(answer.body)) ?? [:])
        }

        func folder(_ name: String, account: String = "acct_1") async throws -> String {
            let (status, _, body) = try await send(.POST, "/v1/accounts/\(account)/folders", json: ["name": name])
            #expect(status == 201)
            return try #require(try JSON.object(body)["id"] as? String)
        }

        func json(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, as token: String? = nil) async throws -> (Int, [String: Any]) {
            let answer = try await send(method, path, json: body, as: token)
            return (answer.status, (try? JSON.object(answer.body)) ?? [:])
        }

        /// Every file under the blob store's directory (temporaries included).
        var blobFiles: [String] {
            let root = storage.directory.appendingPathComponent("blobs")
            let all = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])?.compactMap { $0 as? URL } ?? []
            return all.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }.map(\.lastPathComponent)
        }

        static func run(_ request: HTTPClientRequest) async throws -> (status: Int, headers: HTTPHeaders, body: Data) {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), response.headers, Data(body.readableBytesView))
        }
    }

    func withDocs(_ engine: TestEngine = .sqlite, overrides: [String: String] = [:], _ body: @escaping @Sendable (Docs) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let configuration = try TestConfiguration.make(.doc, storage: storage, overrides: overrides)
            let app = try await DocService.buildApplication(configuration, directory: Self.directory, blobs: nil, threads: FixedThreads())
            let owner = try await TestConfiguration.memberToken()
            try await app.test(.live) { client in
                try await body(Docs(base: "http://127.0.0.1:\(client.port ?? 0)", owner: owner, storage: storage))
            }
        }
    }

    static func contact(_ id: String = "con_1") async throws -> String {
        "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .contact, subject: id, firmID: "firm_test")))
    }

    static let pdf = Array("%PDF-1.7\n".utf8) + (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }

    @Test("several files upload in one request and download byte for byte, typed by their bytes", arguments: TestEngine.all)
    func roundTrip(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let folder = try await docs.folder("Tax")
            let text = Array("plain words\n".utf8)
            let (status, json) = try await docs.upload(
                [("return.pdf", Self.pdf, "image/png"), ("scan.png", Self.png, "application/pdf"), ("notes.txt", text, "application/pdf")],
                folder: folder, stream: true)
            #expect(status == 201, "\(json)")
            let items = try #require(json["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["contentType"] as? String } == ["application/pdf", "image/png", "text/plain; charset=utf-8"],
                    "sniffed, never the client's claim")
            for (item, expected) in zip(items, [Self.pdf, Self.png, text]) {
                let id = try #require(item["id"] as? String)
                let download = try await docs.send(.GET, "/v1/documents/\(id)/content")
                #expect(download.status == 200 && Array(download.body) == expected)
                #expect(download.headers["etag"].first == "\"\(item["sha256"] as? String ?? "")\"")
                #expect(download.headers["accept-ranges"].first == "bytes")
                #expect(item["size"] as? Int == expected.count)
            }
        }
    }

    @Test("ranges: first byte, suffix, middle, open end, past the end; ETag and If-None-Match", arguments: TestEngine.all)
    func ranges(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let folder = try await docs.folder("Tax")
            let id = try #require(((try await docs.upload([("scan.png", Self.png, "")], folder: folder)).json["items"] as? [[String: Any]])?.first?["id"] as? String)
            let size = Self.png.count
            let cases: [(String, Range<Int>)] = [("bytes=0-0", 0..<1), ("bytes=-10", (size - 10)..<size), ("bytes=100-4099", 100..<4100),
                                                 ("bytes=99990-", 99990..<size), ("bytes=5-999999999", 5..<size)]
            for (header, expected) in cases {
                let answer = try await docs.send(.GET, "/v1/documents/\(id)/content", headers: [("range", header)])
                #expect(answer.status == 206, "\(header)")
                #expect(Array(answer.body) == Array(Self.png[expected]), "\(header)")
                #expect(answer.headers["content-range"].first == "bytes \(expected.lowerBound)-\(expected.upperBound - 1)/\(size)")
            }
            let past = try await docs.send(.GET, "/v1/documents/\(id)/content", headers: [("range", "bytes=\(size)-")])
            #expect(past.status == 416 && past.headers["content-range"].first == "bytes */\(size)")
            let whole = try await docs.send(.GET, "/v1/documents/\(id)/content")
            let etag = try #require(whole.headers["etag"].first)
            let cached = try await docs.send(.GET, "/v1/documents/\(id)/content", headers: [("if-none-match", etag)])
            #expect(cached.status == 304 && cached.body.isEmpty)
            #expect(try await docs.send(.GET, "/v1/documents/\(id)/content", headers: [("if-none-match", "\"other\"")]).status == 200)
        }
    }

    @Test("a hostile file name cannot break the Content-Disposition header; unicode survives as filename*")
    func hostileName() async throws {
        try await withDocs { docs in
            let folder = try await docs.folder("Tax")
            let hostile = "\"../evil\r\nX: y\".pdf"
            let (status, json) = try await docs.upload([(hostile, Self.pdf, ""), ("Übersicht – 2025.pdf", Self.pdf, "")], folder: folder)
            #expect(status == 201, "\(json)")
            let items = try #require(json["items"] as? [[String: Any]])
            let evil = try await docs.send(.GET, "/v1/documents/\(items[0]["id"] as? String ?? "")/content")
            let disposition = try #require(evil.headers["content-disposition"].first)
            #expect(!disposition.contains("\r") && !disposition.contains("\n") && !disposition.contains("/"))
            #expect(evil.headers["x"].isEmpty, "no injected header")
            #expect(disposition.hasPrefix("attachment; filename=\"") && disposition.filter { $0 == "\"" }.count == 2)
            let unicode = try await docs.send(.GET, "/v1/documents/\(items[1]["id"] as? String ?? "")/content")
            #expect(unicode.headers["content-disposition"].first
                == "attachment; filename=\"_bersicht _ 2025.pdf\"; filename*=UTF-8''%C3%9Cbersicht%20%E2%80%93%202025.pdf")
        }
    }

    @Test("over the size limit: 413, declared or streamed, and nothing left — no row, no blob", arguments: TestEngine.all)
    func sizeLimit(engine: TestEngine) async throws {
        try await withDocs(engine, overrides: ["ATRIUM_DOCUMENTS_MAX_UPLOAD_BYTES": "50000"]) { docs in
            let folder = try await docs.folder("Tax")
            for stream in [false, true] {
                let (status, json) = try await docs.upload([("small.pdf", Self.pdf, ""), ("big.png", Self.png, "")], folder: folder, stream: stream)
                #expect(status == 413 && json["type"] as? String == "https://atrium.dev/problems/payload-too-large", "\(json)")
            }
            let listed = try await docs.json(.GET, "/v1/accounts/acct_1/documents")
            #expect((listed.1["items"] as? [Any])?.isEmpty == true, "\(listed)")
            #expect(docs.blobFiles.isEmpty, "\(docs.blobFiles)")
            #expect(try await docs.upload([("small.pdf", Self.pdf, "")], folder: folder).status == 201, "under the limit is fine")
            // The rest of the API keeps its small limit.
            let big = String(repeating: "x", count: 2 << 20)
            #expect(try await docs.json(.POST, "/v1/accounts/acct_1/folders", ["name": big]).0 == 413)
        }
    }

    @Test("a body cut off mid-upload, or ended before its closing delimiter, leaves nothing: no row, no blob")
    func cutOff() async throws {
        try await withDocs { docs in
            let folder = try await docs.folder("Tax")
            let (boundary, body) = Multipart.body([("whole.pdf", Self.pdf, ""), ("cut.png", Self.png, "")], fields: [:])
            var request = HTTPClientRequest(url: docs.base + "/v1/accounts/acct_1/folders/\(folder)/documents")
            request.method = .POST
            request.headers.add(name: "authorization", value: docs.owner)
            request.headers.add(name: "content-type", value: "multipart/form-data; boundary=\(boundary)")
            request.body = .stream(Chunks(bytes: body, failAfter: body.count / 2), length: .unknown)
            _ = try? await Docs.run(request)
            try await eventually("the cut-off upload to be cleaned up") {
                docs.blobFiles.isEmpty
            }
            let listed = try await docs.json(.GET, "/v1/accounts/acct_1/documents")
            #expect((listed.1["items"] as? [Any])?.isEmpty == true, "\(listed)")
            // A body that ends without its closing delimiter is refused the same way.
            let truncated = Array(body.prefix(body.count - 10))
            var short = HTTPClientRequest(url: docs.base + "/v1/accounts/acct_1/folders/\(folder)/documents")
            short.method = .POST
            short.headers.add(name: "authorization", value: docs.owner)
            short.headers.add(name: "content-type", value: "multipart/form-data; boundary=\(boundary)")
            short.body = .bytes(ByteBuffer(bytes: truncated))
            let answer = try await Docs.run(short)
            #expect(answer.status == 400, "\(String(decoding: answer.body, as: UTF8.self))")
            #expect(docs.blobFiles.isEmpty)
        }
    }

    @Test("the same Idempotency-Key uploads once and answers the same documents", arguments: TestEngine.all)
    func idempotent(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let folder = try await docs.folder("Tax")
            let first = try await docs.upload([("a.pdf", Self.pdf, "")], folder: folder, key: "upload-1")
            let again = try await docs.upload([("a.pdf", Self.pdf, "")], folder: folder, key: "upload-1")
            #expect(first.status == 201 && again.status == 201)
            let ids = { (json: [String: Any]) in (json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [] }
            #expect(ids(first.json) == ids(again.json) && ids(first.json).count == 1)
            #expect(((try await docs.json(.GET, "/v1/accounts/acct_1/documents")).1["items"] as? [Any])?.count == 1)
            #expect(docs.blobFiles.count == 1)
        }
    }
}

/// Builds `multipart/form-data` bodies.
enum Multipart {
    /// A fixed boundary, for callers that only keep the body.
    static let lastBoundary = "atrium-matrix-boundary"

    static func body(_ files: [(String, [UInt8], String)], fields: [String: String], boundary: String = lastBoundary) -> (String, [UInt8]) {
        var body: [UInt8] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for (name, bytes, type) in files {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(escaped)\"\r\n".utf8)
            if !type.isEmpty { body += Array("Content-Type: \(type)\r\n".utf8) }
            body += Array("\r\n".utf8) + bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (boundary, body)
    }
}

/// A body sent in 8 KiB chunks that fails after `failAfter` bytes, if given (a client that goes away).
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let failAfter: Int?

    struct Gone: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let failAfter: Int?
        var offset = 0

        mutating func next() async throws -> ByteBuffer? {
            if let failAfter, offset >= failAfter { throw Gone() }
            guard offset < bytes.count else { return nil }
            let end = Swift.min(offset + 8192, bytes.count)
            defer { offset = end }
            return ByteBuffer(bytes: bytes[offset..<end])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, failAfter: failAfter) }
}

/// Chat threads as the in-process DocService tests know them: `FixedThreads.known` belongs to `acct_1`.
struct FixedThreads: ThreadCheck {
    static let known = "thr_01a20a0000000000000000abcdef"
    static let elsewhere = "thr_01a20a0000000000000000fedcba"

    func thread(_ threadID: String, belongsTo accountID: String) async throws -> Bool {
        threadID == Self.known && accountID == "acct_1"
    }
}
