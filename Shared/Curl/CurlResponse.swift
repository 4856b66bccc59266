public import NIOCore

/// A response's header fields; names compare without regard to case.
public struct CurlHeaders: Sendable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    /// The first value of `name`.
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    mutating func append(line: String) {
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: " \t")
        let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
        fields.append((name, value))
    }
}

/// A complete answer, its body read into memory.
public struct CurlResponse: Sendable {
    public var status: Int
    public var headers: CurlHeaders
    public var body: ByteBuffer
}

/// An answer whose body is still arriving.
public struct CurlStreamingResponse: Sendable {
    public var status: Int
    public var headers: CurlHeaders
    /// Read it once; dropping it unread stops the transfer.
    public var body: CurlResponseBody
}

/// A response body as it arrives, at most `Curl.streamBuffer` bytes ahead of its reader.
///
/// Iterate it once. When the last copy of it is dropped, or the iterating task is cancelled,
/// the transfer is stopped and its thread freed.
public struct CurlResponseBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    final class Reader: Sendable {
        let channel: ByteChannel
        init(_ channel: ByteChannel) { self.channel = channel }
        deinit { channel.cancel() }
    }

    let reader: Reader

    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: Reader

        public mutating func next() async throws -> ByteBuffer? {
            try await withTaskCancellationHandler {
                try await reader.channel.next()
            } onCancel: { [reader] in
                reader.channel.cancel()
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }

    /// The whole body, refusing more than `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var all = ByteBuffer()
        for try await chunk in self {
            guard all.readableBytes + chunk.readableBytes <= limit else { throw CurlError.answerTooLarge(limit) }
            all.writeImmutableBuffer(chunk)
        }
        return all
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
