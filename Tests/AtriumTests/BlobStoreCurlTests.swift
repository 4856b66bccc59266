@testable import Curl
@testable import DocService
import Foundation
import NIOCore
import Testing

/// The libcurl wrapper under the S3 blob store: streamed bodies both ways, with bounded
/// buffering, and failures as errors with curl's message.
@Suite("Blob store: libcurl transfers")
struct BlobStoreCurlTests {
    @Test("A refused connection is a CurlError with curl's own message")
    func refused() async throws {
        // Port 9 (discard): nothing listens there.
        let error = await #expect(throws: CurlError.self) {
            try await Curl.send(CurlRequest(url: "http://127.0.0.1:9/", connectTimeout: .seconds(2)))
        }
        #expect(error?.code == 7)  // CURLE_COULDNT_CONNECT
        #expect(error?.message.isEmpty == false)
    }

    @Test("The queue between libcurl's thread and async code holds at most its capacity")
    func boundedQueue() async throws {
        let channel = ByteChannel(capacity: 1000)
        #expect(await channel.push(ByteBuffer(repeating: 1, count: 1000)))
        let pushed = TestCounter()
        let second = Task {
            let accepted = await channel.push(ByteBuffer(repeating: 2, count: 10))
            pushed.add(1)
            return accepted
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(pushed.current == 0, "a push into a full queue waits")
        var target = [UInt8](repeating: 0, count: 600)
        let pulled = target.withUnsafeMutableBytes { channel.pullBlocking(into: $0) }
        guard case .bytes(600) = pulled else { Issue.record("pulled \(pulled)"); return }
        #expect(await second.value)
        channel.finish()
        var rest = 0
        while let chunk = try await channel.next() { rest += chunk.readableBytes }
        #expect(rest == 410)
        // A consumer that gives up refuses further pushes and reads as cancelled, not as the end.
        let abandoned = ByteChannel(capacity: 10)
        abandoned.cancel()
        #expect(await abandoned.push(ByteBuffer(repeating: 3, count: 1)) == false)
        await #expect(throws: CancellationError.self) { try await abandoned.next() }
    }

    @Test("A streamed request body goes up and its producer's error wins",
          .enabled(if: BlobStoreHarness.s3URL != nil))
    func streamedUpload() async throws {
        let harness = try await BlobStoreHarness.s3()
        defer { Task { await harness.remove() } }
        let store = try #require(harness.store as? S3BlobStore)
        let size: Int64 = 3 << 20
        var request = store.request("PUT", key: try BlobKey("doc_streamed"))
        request.headers = [("x-amz-content-sha256", "UNSIGNED-PAYLOAD")]
        let sent = TestCounter()
        request.body = .stream(length: size) { writer in
            for try await chunk in TestBody(size: size, chunkSize: 64 * 1024) {
                try await writer.write(chunk)
                sent.add(Int64(chunk.readableBytes))
            }
        }
        let response = try await Curl.send(request)
        #expect(response.status == 200)
        #expect(sent.current == size)
        let content = try await store.get(try BlobKey("doc_streamed"), range: nil)
        #expect(Array(buffer: try await content.chunks.collect(upTo: 4 << 20)) == TestBody.bytes(0..<size))

        // The producer fails: its error, not curl's, comes back.
        request.body = .stream(length: size) { writer in
            try await writer.write(ByteBuffer(repeating: 1, count: 1000))
            throw BodyCutOff()
        }
        await #expect(throws: BodyCutOff.self) { try await Curl.send(request) }
    }

    @Test("A streamed download is dropped half read without hanging", .enabled(if: BlobStoreHarness.s3URL != nil))
    func droppedDownload() async throws {
        let harness = try await BlobStoreHarness.s3()
        defer { Task { await harness.remove() } }
        let key = try BlobKey("doc_dropped")
        _ = try await harness.store.put(key, body: TestBody(size: 8 << 20, chunkSize: 1 << 20))
        for _ in 0..<5 {
            var iterator = try await harness.store.get(key, range: nil).chunks.makeAsyncIterator()
            _ = try await iterator.next()
        }
        #expect(try await harness.store.get(key, range: 0...3).chunks.collect(upTo: 4).readableBytes == 4)
    }
}
