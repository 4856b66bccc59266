import Curl
@testable import DocService
import Foundation
import Logging
import NIOCore

/// A fresh, empty blob store for one test, and what the checks need to see behind its back.
struct BlobStoreHarness: Sendable {
    /// The kinds of store the conformance suite runs on.
    enum Kind: String, Sendable {
        case file, s3
    }

    /// The S3-compatible server the S3 variant runs against (moto in CI); nil skips that variant.
    static let s3URL: String? = ProcessInfo.processInfo.environment["ATRIUM_TEST_S3_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Keys for that server: `ATRIUM_TEST_S3_ACCESS_KEY` and `ATRIUM_TEST_S3_SECRET_KEY` when it
    /// checks signatures (MinIO, moto with authentication on); moto by default takes any.
    static let s3Keys = (
        access: ProcessInfo.processInfo.environment["ATRIUM_TEST_S3_ACCESS_KEY"] ?? "test",
        secret: ProcessInfo.processInfo.environment["ATRIUM_TEST_S3_SECRET_KEY"] ?? "test-secret"
    )

    /// S3's smallest part size (all parts but the last), so the tests' large bodies stay quick.
    static let s3PartSize = 5 * 1024 * 1024

    let store: any BlobStore
    /// The most a store may hold in memory while writing: one part, or the file store's write buffer.
    let bufferLimit: Int
    /// Bytes the store has written so far, finished or not.
    let storedBytes: @Sendable () async throws -> Int64
    /// Temporaries or incomplete uploads there are now.
    let leftovers: @Sendable () async throws -> Int
    let remove: @Sendable () async -> Void

    /// Runs `body` with a fresh store of `kind`, removed afterwards whatever happens.
    static func with(_ kind: Kind, _ body: (BlobStoreHarness) async throws -> Void) async throws {
        let harness = kind == .file ? try await local() : try await s3()
        do {
            try await body(harness)
            await harness.remove()
        } catch {
            await harness.remove()
            throw error
        }
    }

    static func local() async throws -> BlobStoreHarness {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-blobs-\(UInt64.random(in: 0...UInt64.max))").path
        let store = try await LocalBlobStore(root: root)
        return BlobStoreHarness(
            store: store, bufferLimit: store.chunkSize,
            storedBytes: { Self.files(under: root).reduce(0) { $0 + $1.size } },
            leftovers: { Self.files(under: root + "/tmp").count },
            remove: { try? FileManager.default.removeItem(atPath: root) })
    }

    static func s3() async throws -> BlobStoreHarness {
        guard let url = s3URL else { throw BlobStoreError.unavailable("ATRIUM_TEST_S3_URL is not set") }
        let settings = S3Settings(endpoint: url, bucket: "atrium-test-\(UInt64.random(in: 0...UInt64.max))", accessKey: s3Keys.access,
                                  secretKey: s3Keys.secret, partSize: s3PartSize)
        let store = S3BlobStore(settings: settings, logger: Logger(label: "blob-tests"))
        try await store.createBucket()
        return BlobStoreHarness(
            store: store, bufferLimit: s3PartSize,
            storedBytes: { try await s3StoredBytes(store) },
            leftovers: { try await store.incompleteUploads().count },
            remove: {
                _ = try? await store.removeAbandoned(before: .distantFuture)
                for key in (try? await s3Objects(store).map(\.key)) ?? [] { try? await store.delete(key) }
                _ = try? await store.send(store.request("DELETE", key: nil), "DeleteBucket", expecting: [204, 200, 404])
            })
    }

    /// Every regular file under `directory`, recursively, with its size.
    static func files(under directory: String) -> [(path: String, size: Int64)] {
        let paths = (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []
        return paths.compactMap { path in
            let full = directory + "/" + path
            guard let values = try? URL(fileURLWithPath: full).resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey]),
                values.isRegularFile == true else { return nil }
            return (full, Int64(values.fileSize ?? 0))
        }
    }

    /// The bucket's objects and their sizes (ListObjectsV2, one page: tests store few).
    static func s3Objects(_ store: S3BlobStore) async throws -> [(key: BlobKey, size: Int64)] {
        let response = try await store.send(store.request("GET", key: nil, query: [("list-type", "2")]), "ListObjectsV2")
        return S3XML.blocks("Contents", in: String(buffer: response.body)[...]).compactMap { entry in
            guard let key = S3XML.value("Key", in: entry).flatMap({ try? BlobKey($0) }),
                let size = S3XML.value("Size", in: entry).flatMap({ Int64($0) }) else { return nil }
            return (key, size)
        }
    }

    /// Bytes in the bucket's objects and in the parts of its incomplete uploads.
    static func s3StoredBytes(_ store: S3BlobStore) async throws -> Int64 {
        var total = try await s3Objects(store).reduce(0) { $0 + $1.size }
        for upload in try await store.incompleteUploads() {
            let response = try await store.send(store.request("GET", key: upload.key, query: [("uploadId", upload.id)]), "ListParts")
            for part in S3XML.blocks("Part", in: String(buffer: response.body)[...]) {
                total += S3XML.value("Size", in: part).flatMap { Int64($0) } ?? 0
            }
        }
        return total
    }
}
