import AtriumRuntime
@testable import DocService
import Foundation
import Logging
import Testing

/// DocService's blob stores (SPEC "Documents": a document's bytes), each held to
/// `BlobStoreConformance`: the file store always, S3 against a real S3-compatible server
/// (moto in CI) when `ATRIUM_TEST_S3_URL` names one.
@Suite("Blob store: local files")
struct LocalBlobStoreTests {
    @Test func roundTrip() async throws { try await BlobStoreConformance.roundTrip(.file) }
    @Test func emptyBlob() async throws { try await BlobStoreConformance.emptyBlob(.file) }
    @Test func ranges() async throws { try await BlobStoreConformance.ranges(.file) }
    @Test func bodyThrowsMidway() async throws { try await BlobStoreConformance.bodyThrowsMidway(.file) }
    @Test func cleanupRemovesAbandoned() async throws { try await BlobStoreConformance.cleanupRemovesAbandoned(.file) }
    @Test func largeBodyStreams() async throws { try await BlobStoreConformance.largeBodyStreams(.file) }
    @Test func deleteIsIdempotent() async throws { try await BlobStoreConformance.deleteIsIdempotent(.file) }

    @Test("Blobs fan out by their key's hash, temporaries stay in tmp/, nothing is readable by others")
    func layout() async throws {
        let harness = try await BlobStoreHarness.local()
        defer { Task { await harness.remove() } }
        let store = try #require(harness.store as? LocalBlobStore)
        let key = try BlobKey("doc_0190aabbccdd0123456789abcdef")
        _ = try await store.put(key, body: TestBody(size: 10))
        let files = BlobStoreHarness.files(under: store.root).map(\.path)
        #expect(files == [store.location(of: key).path])
        #expect(store.location(of: key).directory.split(separator: "/").last?.count == 2)
        let mode = (try FileManager.default.attributesOfItem(atPath: files[0])[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
    }
}

@Suite("Blob store: S3 (moto)", .enabled(if: BlobStoreHarness.s3URL != nil))
struct S3BlobStoreTests {
    @Test func roundTrip() async throws { try await BlobStoreConformance.roundTrip(.s3) }
    @Test func emptyBlob() async throws { try await BlobStoreConformance.emptyBlob(.s3) }
    @Test func ranges() async throws { try await BlobStoreConformance.ranges(.s3) }
    @Test func bodyThrowsMidway() async throws { try await BlobStoreConformance.bodyThrowsMidway(.s3) }
    @Test func cleanupRemovesAbandoned() async throws { try await BlobStoreConformance.cleanupRemovesAbandoned(.s3) }
    @Test func largeBodyStreams() async throws { try await BlobStoreConformance.largeBodyStreams(.s3) }
    @Test func deleteIsIdempotent() async throws { try await BlobStoreConformance.deleteIsIdempotent(.s3) }

    @Test("A missing bucket is the store failing, not a missing blob; the error carries no secret")
    func missingBucket() async throws {
        let url = try #require(BlobStoreHarness.s3URL)
        let keys = BlobStoreHarness.s3Keys
        let store = S3BlobStore(settings: S3Settings(endpoint: url, bucket: "atrium-no-such-bucket", accessKey: keys.access,
                                                     secretKey: keys.secret), logger: .init(label: "test"))
        let error = await #expect(throws: BlobStoreError.self) { try await store.get(try BlobKey("doc_x"), range: nil) }
        guard case .unavailable(let detail)? = error else { Issue.record("expected unavailable, got \(String(describing: error))"); return }
        #expect(detail.contains("NoSuchBucket"))
        #expect(!detail.contains(keys.secret))
        #expect(!"\(store.settings)".contains(keys.secret))
    }

    @Test("blob.s3.create.bucket makes a missing bucket at start-up, and a second start finds it made")
    func createBucketAtStart() async throws {
        let url = try #require(BlobStoreHarness.s3URL)
        let keys = BlobStoreHarness.s3Keys
        let bucket = "atrium-start-\(UInt32.random(in: 0...UInt32.max))"
        try await TestStorage.with(.sqlite) { storage in
            let make = { (create: String) in
                try await BlobStoreSettings.makeStore(try TestConfiguration.make(.doc, storage: storage, overrides: [
                    "ATRIUM_BLOB_STORE": "s3", "ATRIUM_BLOB_S3_ENDPOINT": url, "ATRIUM_BLOB_S3_BUCKET": bucket,
                    "ATRIUM_BLOB_S3_ACCESS_KEY": keys.access, "ATRIUM_BLOB_S3_SECRET_KEY": keys.secret,
                    "ATRIUM_BLOB_S3_CREATE_BUCKET": create,
                ]), logger: .init(label: "test"))
            }
            await #expect(throws: ConfigurationError.self) { try await make("sometimes") }
            let store = try #require(try await make("false") as? S3BlobStore)
            // Not asked to, it made nothing: the bucket is missing.
            await #expect(throws: BlobStoreError.self) { try await store.get(try BlobKey("doc_x"), range: nil) }
            _ = try await make("true")
            _ = try await make("true")
            await #expect(throws: BlobStoreError.notFound(try BlobKey("doc_x"))) { try await store.get(try BlobKey("doc_x"), range: nil) }
            _ = try await store.send(store.request("DELETE", key: nil), "DeleteBucket", expecting: [204, 200])
        }
    }
}

@Suite("Blob store: keys, settings and S3's answers")
struct BlobStoreUnitTests {
    @Test("Keys are what Identifier.make generates; anything that could be a path is refused",
          arguments: ["", "A", "Doc_1", "../etc/passwd", "a/b", "a.b", ".hidden", "-a", "_a", "a b", "a\u{0}b", "é",
                      String(repeating: "a", count: 129)])
    func badKeys(_ raw: String) {
        #expect(throws: BlobStoreError.self) { try BlobKey(raw) }
    }

    @Test(arguments: ["a", "0", "doc_0190aabbccdd0123456789abcdef", "a-b_c", String(repeating: "a", count: 128)])
    func goodKeys(_ raw: String) throws {
        #expect(try BlobKey(raw).rawValue == raw)
        #expect(try BlobKey(Identifier.make("doc")).rawValue.hasPrefix("doc_"))
    }

    @Test("blob.store chooses the store; S3 needs its endpoint, bucket and keys, and hides the secret")
    func settings() async throws {
        let reader = { (environment: [String: String]) in
            ServiceConfiguration.reader(arguments: ["test"], environment: environment)
        }
        let s3: [String: String] = [
            "ATRIUM_BLOB_S3_ENDPOINT": "http://127.0.0.1:9000/", "ATRIUM_BLOB_S3_BUCKET": "atrium-docs",
            "ATRIUM_BLOB_S3_ACCESS_KEY": "AKIAEXAMPLE", "ATRIUM_BLOB_S3_SECRET_KEY": "s3cr3t",
        ]
        let settings = try BlobStoreSettings.s3Settings(reader(s3))
        #expect(settings.endpoint == "http://127.0.0.1:9000")
        #expect(settings.region == "us-east-1")
        #expect(settings.partSize == 8 << 20)
        #expect(!settings.description.contains("s3cr3t"))
        for missing in ["ATRIUM_BLOB_S3_ENDPOINT", "ATRIUM_BLOB_S3_BUCKET", "ATRIUM_BLOB_S3_ACCESS_KEY", "ATRIUM_BLOB_S3_SECRET_KEY"] {
            #expect(throws: ConfigurationError.self) { try BlobStoreSettings.s3Settings(reader(s3.filter { $0.key != missing })) }
        }
        for (key, bad) in [("ATRIUM_BLOB_S3_ENDPOINT", "ftp://x"), ("ATRIUM_BLOB_S3_ENDPOINT", "http://k:s@host"),
                           ("ATRIUM_BLOB_S3_BUCKET", "Bad_Bucket"), ("ATRIUM_BLOB_S3_REGION", "eu/west")] {
            #expect(throws: ConfigurationError.self) { try BlobStoreSettings.s3Settings(reader(s3.merging([key: bad]) { $1 })) }
        }
    }

    @Test("DocService builds the store its configuration names, under its data directory by default")
    func storeChoice() async throws {
        try await TestStorage.with(.sqlite) { storage in
            let make = { (overrides: [String: String]) in
                try await BlobStoreSettings.makeStore(
                    try TestConfiguration.make(.doc, storage: storage, overrides: overrides), logger: .init(label: "test"))
            }
            let local = try #require(try await make([:]) as? LocalBlobStore)
            #expect(local.root == storage.directory.path + "/blobs")
            let s3 = try await make(["ATRIUM_BLOB_STORE": "s3", "ATRIUM_BLOB_S3_ENDPOINT": "http://127.0.0.1:9000",
                                     "ATRIUM_BLOB_S3_BUCKET": "docs", "ATRIUM_BLOB_S3_ACCESS_KEY": "a", "ATRIUM_BLOB_S3_SECRET_KEY": "b"])
            #expect(s3 is S3BlobStore)
            await #expect(throws: ConfigurationError.self) { try await make(["ATRIUM_BLOB_STORE": "ftp"]) }
            await #expect(throws: ConfigurationError.self) { try await make(["ATRIUM_BLOB_STORE": "s3"]) }
        }
    }

    @Test("S3's small XML answers are read tolerantly")
    func xml() {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated>
            <Upload><Key>doc_a</Key><UploadId>id&amp;1</UploadId><Initiated>2024-05-01T12:00:00.000Z</Initiated></Upload>
            <Upload><Key>doc_b</Key><UploadId>id2</UploadId><Initiated>2024-05-01T12:00:01Z</Initiated></Upload>
            <Error><Code>NoSuchKey</Code><Message>The key &lt;x&gt; &#x41;&#66;</Message><Empty/></Error>
            </ListMultipartUploadsResult>
            """[...]
        let uploads = S3XML.blocks("Upload", in: text)
        #expect(uploads.count == 2)
        #expect(S3XML.value("UploadId", in: uploads[0]) == "id&1")
        #expect(S3XML.value("UploadId", in: text) == "id&1")
        #expect(S3XML.value("Message", in: text) == "The key <x> AB")
        #expect(S3XML.value("Empty", in: text) == "")
        #expect(S3XML.value("Missing", in: text) == nil)
        #expect(S3BlobStore.date("2024-05-01T12:00:00.000Z") == Date(timeIntervalSince1970: 1_714_564_800))
        #expect(S3BlobStore.date("2024-05-01T12:00:01Z") == Date(timeIntervalSince1970: 1_714_564_801))
        #expect(S3BlobStore.contentRange("bytes 0-9/100")! == (0..<10, 100))
        #expect(S3BlobStore.contentRange("bytes 5-4/100") == nil)
        #expect(S3BlobStore.encode("a b/c~d") == "a%20b%2Fc~d")
    }
}
