import Crypto
import Foundation
import NIOCore
import Synchronization

/// A request body made up on the fly: `size` bytes of a fixed pattern, in `chunkSize` chunks,
/// never held whole in memory. `beforeChunk` runs before each chunk with the bytes handed over
/// so far (to measure, to hang, to fail).
struct TestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let size: Int64
    var chunkSize = 64 * 1024
    var beforeChunk: (@Sendable (Int64) async throws -> Void)?

    /// The pattern's byte at `offset`: period 251, so a misplaced range shows.
    static func byte(at offset: Int64) -> UInt8 { UInt8(truncatingIfNeeded: offset % 251) }

    /// The pattern's bytes `range`, in memory.
    static func bytes(_ range: Range<Int64>) -> [UInt8] { range.map(byte(at:)) }

    /// The SHA-256 (hex) of the first `size` bytes of the pattern, computed in chunks.
    static func sha256(size: Int64) -> String {
        var hasher = SHA256()
        var offset: Int64 = 0
        while offset < size {
            let end = Swift.min(size, offset + 1 << 20)
            hasher.update(data: bytes(offset..<end))
            offset = end
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: TestBody
        var offset: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard offset < body.size else { return nil }
            try await body.beforeChunk?(offset)
            let end = Swift.min(body.size, offset + Int64(body.chunkSize))
            var chunk = ByteBuffer()
            chunk.writeBytes(TestBody.bytes(offset..<end))
            offset = end
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }
}

/// A number tests update from `@Sendable` closures.
final class TestCounter: Sendable {
    private let value = Mutex<Int64>(0)

    var current: Int64 { value.withLock { $0 } }

    func add(_ amount: Int64) { value.withLock { $0 += amount } }

    func raise(to candidate: Int64) { value.withLock { $0 = max($0, candidate) } }
}

/// What a `TestBody` throws when a test cuts it off.
struct BodyCutOff: Error {}

/// A one-shot gate a body waits at until the test opens it.
struct TestGate: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream<Void>.makeStream()
    }

    func wait() async {
        for await _ in stream { return }
    }

    func open() { continuation.finish() }
}
