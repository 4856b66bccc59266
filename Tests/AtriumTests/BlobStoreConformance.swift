import Crypto
import DocService
import Foundation
import NIOCore
import Testing

/// What every `BlobStore` must do, checked the same way on each kind of store
/// (`BlobStoreTests` runs these on the file store and, with `ATRIUM_TEST_S3_URL`, on S3).
enum BlobStoreConformance {
    static func roundTrip(_ kind: BlobStoreHarness.Kind) async throws {
        try await BlobStoreHarness.with(kind) { harness in
            let key = try BlobKey("doc_roundtrip")
            let size: Int64 = 700_000
            let stored = try await harness.store.put(key, body: TestBody(size: size, chunkSize: 10_000))
            #expect(stored == StoredBlob(key: key, size: size, sha256: TestBody.sha256(size: size)))
            let content = try await harness.store.get(key, range: nil)
            #expect(content.size == size)
            #expect(content.range == 0..<size)
            #expect(Array(buffer: try await content.chunks.collect(upTo: 1 << 20)) == TestBody.bytes(0..<size))

            // A second put under the key replaces the blob.
            let replaced = try await harness.store.put(key, body: TestBody(size: 10))
            #expect(replaced.size == 10)
            #expect(try await harness.store.get(key, range: nil).size == 10)
            #expect(try await harness.leftovers() == 0)
        }
    }

    static func emptyBlob(_ kind: BlobStoreHarness.Kind) async throws {
        try await BlobStoreHarness.with(kind) { harness in
            let key = try BlobKey("doc_empty")
            let stored = try await harness.store.put(key, body: TestBody(size: 0))
            #expect(stored.size == 0)
            #expect(stored.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            let content = try await harness.store.get(key, range: nil)
            #expect(content.size == 0 && content.range == 0..<0)
            #expect(try await content.chunks.collect(upTo: 1).readableBytes == 0)
            await #expect(throws: BlobStoreError.rangeNotSatisfiable(size: 0)) { try await harness.store.get(key, range: 0...0) }
        }
    }

    static func ranges(_ kind: BlobStoreHarness.Kind) async throws {
        try await BlobStoreHarness.with(kind) { harness in
            let key = try BlobKey("doc_ranges")
            let size: Int64 = 600_000
            _ = try await harness.store.put(key, body: TestBody(size: size))
            let cases: [(ClosedRange<Int64>, Range<Int64>)] = [
                (0...0, 0..<1),  // first byte
                ((size - 1)...(size - 1), (size - 1)..<size),  // last byte
                (1_000...300_000, 1_000..<300_001),  // middle, across the file store's read chunks
                (0...(size - 1), 0..<size),  // whole
                (599_000...(size + 5_000), 599_000..<size),  // past the end: clamped, as in HTTP
            ]
            for (asked, expected) in cases {
                let content = try await harness.store.get(key, range: asked)
                #expect(content.size == size, "\(asked)")
                #expect(content.range == expected, "\(asked)")
                #expect(Array(buffer: try await content.chunks.collect(upTo: 1 << 20)) == TestBody.bytes(expected), "\(asked)")
            }
            await #expect(throws: BlobStoreError.rangeNotSatisfiable(size: size)) { try await harness.store.get(key, range: size...(size + 10)) }
            let missing = try BlobKey("doc_missing")
            await #expect(throws: BlobStoreError.notFound(missing)) { try await harness.store.get(missing, range: nil) }
            // Opening and dropping a blob unread releases it; reading still works afterwards.
            _ = try await harness.store.get(key, range: nil)
            #expect(try await harness.store.get(key, range: 0...9).chunks.collect(upTo: 10).readableBytes == 10)
        }
    }

    /// A body that throws midway (in the first part, and after some parts went up) leaves nothing
    /// under the key, nor anything for the clean-up to find.
    static func bodyThrowsMidway(_ kind: BlobStoreHarness.Kind) async throws {
        try await BlobStoreHarness.with(kind) { harness in
            for cutAt in [Int64(100_000), Int64(harness.bufferLimit) + 2_000_000] {
                let key = try BlobKey("doc_cut_\(cutAt)")
                let body = TestBody(size: cutAt * 2, chunkSize: 50_000) { offset in
                    if offset >= cutAt { throw BodyCutOff() }
                }
                await #expect(throws: BodyCutOff.self) { try await harness.store.put(key, body: body) }
                await #expect(throws: BlobStoreError.notFound(key)) { try await harness.store.get(key, range: nil) }
                #expect(try await harness.leftovers() == 0)
                #expect(try await harness.store.removeAbandoned(before: Date().addingTimeInterval(60)) == 0)
                #expect(try await harness.storedBytes() == 0)
            }
        }
    }

    /// What an upload cut off by a crash leaves (here: one still hanging) is removed by the
    /// clean-up once older than the cut-off, and not before.
    static func cleanupRemovesAbandoned(_ kind: BlobStoreHarness.Kind) async throws {
        try await BlobStoreHarness.with(kind) { harness in
            let key = try BlobKey("doc_abandoned")
            let gate = TestGate()
            let hangAt = Int64(harness.bufferLimit) + 1_000_000
            let body = TestBody(size: hangAt * 2, chunkSize: 500_000) { offset in
                guard offset >= hangAt else { return }
                await gate.wait()
                throw BodyCutOff()
            }
            let store = harness.store
            let upload = Task { try await store.put(key, body: body) }
            try await eventually("a temporary or incomplete upload") { try await harness.leftovers() == 1 }
            #expect(try await store.removeAbandoned(before: Date().addingTimeInterval(-3600)) == 0)
            #expect(try await harness.leftovers() == 1)
            #expect(try await store.removeAbandoned(before: Date().addingTimeInterval(60)) == 1)
            #expect(try await harness.leftovers() == 0)
            gate.open()
            await #expect(throws: (any Error).self) { try await upload.value }
            await #expect(throws: BlobStoreError.notFound(key)) { try await store.get(key, range: nil) }
            #expect(try await harness.leftovers() == 0)
            #expect(try await harness.storedBytes() == 0)
        }
    }

    /// 64 MiB go in and come out without the store ever holding more than its buffer: each time
    /// the body hands over a chunk, all but `bufferLimit` (plus that chunk) of what it handed over
    /// before must already be stored. A store that buffered the body would fail at once.
    static func largeBodyStreams(_ kind: BlobStoreHarness.Kind) async throws {
        try await BlobStoreHarness.with(kind) { harness in
            let key = try BlobKey("doc_large")
            let size: Int64 = 64 << 20
            let chunkSize = 1 << 20
            let worstLag = TestCounter()
            let body = TestBody(size: size, chunkSize: chunkSize) { handedOver in
                worstLag.raise(to: handedOver - (try await harness.storedBytes()))
            }
            let stored = try await harness.store.put(key, body: body)
            #expect(stored.size == size)
            #expect(stored.sha256 == TestBody.sha256(size: size))
            let lag = worstLag.current
            #expect(lag <= Int64(harness.bufferLimit + chunkSize), "the store held \(lag) bytes it had not stored")
            #expect(lag > 0 || kind == .file, "the probe saw nothing buffered at all")

            // Read back as a stream, hashing as it goes.
            var hasher = SHA256()
            var read: Int64 = 0
            for try await chunk in try await harness.store.get(key, range: nil).chunks {
                #expect(chunk.readableBytes <= 4 << 20)
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                read += Int64(chunk.readableBytes)
            }
            #expect(read == size)
            #expect(hasher.finalize().map { String(format: "%02x", $0) }.joined() == stored.sha256)
        }
    }

    static func deleteIsIdempotent(_ kind: BlobStoreHarness.Kind) async throws {
        try await BlobStoreHarness.with(kind) { harness in
            let key = try BlobKey("doc_delete")
            _ = try await harness.store.put(key, body: TestBody(size: 1_000))
            try await harness.store.delete(key)
            await #expect(throws: BlobStoreError.notFound(key)) { try await harness.store.get(key, range: nil) }
            try await harness.store.delete(key)
            try await harness.store.delete(try BlobKey("doc_never_stored"))
            #expect(try await harness.storedBytes() == 0)
        }
    }
}
