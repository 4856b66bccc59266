public import NIOCore

/// Where a `BlobChunks` gets its bytes: one per store, read by one task at a time.
protocol BlobChunkSource: AnyObject, Sendable {
    /// The next chunk; nil after the last.
    func next() async throws -> ByteBuffer?
}

/// The bytes of a blob being read, in chunks of the store's choosing.
///
/// Iterate it once; the file or connection behind it is released at the end, on an error, or
/// when the last copy of it is dropped.
public struct BlobChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    let source: any BlobChunkSource

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: any BlobChunkSource

        public mutating func next() async throws -> ByteBuffer? {
            try await source.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }

    /// Every chunk into one buffer: for tests and small blobs only.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var all = ByteBuffer()
        for try await chunk in self {
            guard all.readableBytes + chunk.readableBytes <= limit else {
                throw BlobStoreError.unavailable("the blob is larger than \(limit) bytes")
            }
            all.writeImmutableBuffer(chunk)
        }
        return all
    }
}
