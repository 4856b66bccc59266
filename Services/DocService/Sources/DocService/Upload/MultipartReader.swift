import AtriumRuntime
import MultipartKit
import NIOCore

/// Reads a `multipart/form-data` body as it arrives, with multipart-kit's incremental parser:
/// part headers, then that part's bytes chunk by chunk, never a whole part in memory.
///
/// Counts every byte of the body against `maxBytes` (413 beyond), and tells a body that ended
/// before its closing delimiter (a cut-off upload) from a complete one. Read by one task.
final class MultipartReader<Body: AsyncSequence> where Body.Element == ByteBuffer {
    enum Event {
        case header(String, String)
        case body(ByteBuffer)
        case partEnd
    }

    private var source: Body.AsyncIterator
    private let parser: MultipartParser
    private let closing: [UInt8]
    private let maxBytes: Int
    private var events: [Event] = []
    private var next = 0
    private var received = 0
    private var ended = false
    /// The body's last bytes, to find the closing delimiter in.
    private var tail: [UInt8] = []
    /// Whether the current part's bytes are still being read.
    private var inPart = false

    init(body: Body, boundary: String, maxBytes: Int) {
        source = body.makeAsyncIterator()
        parser = MultipartParser(boundary: boundary)
        closing = Array("--\(boundary)--".utf8)
        self.maxBytes = maxBytes
        parser.onHeader = { [unowned self] name, value in events.append(.header(name, value)) }
        parser.onBody = { [unowned self] chunk in events.append(.body(chunk)) }
        parser.onPartComplete = { [unowned self] in events.append(.partEnd) }
    }

    /// The next part's headers (names lower-cased); nil after the last part. Skips whatever of
    /// the current part was not read.
    func nextPart() async throws -> [String: String]? {
        while inPart, try await nextChunk() != nil {}
        var headers: [String: String] = [:]
        while let event = try await nextEvent() {
            switch event {
            case .header(let name, let value):
                headers[name.lowercased()] = value
            case .body, .partEnd:
                next -= 1
                inPart = true
                return headers
            }
        }
        guard headers.isEmpty else { throw DocError.uploadCutOff }
        return nil
    }

    /// The current part's next bytes; nil at its end.
    func nextChunk() async throws -> ByteBuffer? {
        guard inPart else { return nil }
        guard let event = try await nextEvent() else { throw DocError.uploadCutOff }
        switch event {
        case .body(let chunk): return chunk
        case .partEnd:
            inPart = false
            return nil
        case .header: throw DocError.invalid("The multipart body is malformed.")
        }
    }

    private func nextEvent() async throws -> Event? {
        while next == events.count {
            events.removeAll(keepingCapacity: true)
            next = 0
            guard !ended else { return nil }
            guard let chunk = try await source.next() else {
                ended = true
                guard tail.windowsContain(closing) else { throw DocError.uploadCutOff }
                return nil
            }
            received += chunk.readableBytes
            guard received <= maxBytes else { throw RuntimeError.payloadTooLarge(maxBytes) }
            keepTail(chunk)
            do {
                try parser.execute(chunk)
            } catch {
                throw DocError.invalid("The multipart body is malformed.")
            }
        }
        defer { next += 1 }
        return events[next]
    }

    private func keepTail(_ chunk: ByteBuffer) {
        tail.append(contentsOf: chunk.readableBytesView.suffix(closing.count + 64))
        if tail.count > 2 * (closing.count + 64) { tail.removeFirst(tail.count - (closing.count + 64)) }
    }
}

extension [UInt8] {
    func windowsContain(_ needle: [UInt8]) -> Bool {
        guard count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

/// One file part's bytes as an async sequence, for the blob store; keeps the first bytes for
/// sniffing. `prefix` holds chunks already read from the part (and already recorded in `head`).
struct PartBytes<Body: AsyncSequence>: AsyncSequence where Body.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let reader: MultipartReader<Body>
    let head: HeadRecorder
    var prefix: [ByteBuffer] = []

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: MultipartReader<Body>
        let head: HeadRecorder
        var prefix: ArraySlice<ByteBuffer>

        mutating func next() async throws -> ByteBuffer? {
            if let first = prefix.popFirst() { return first }
            guard let chunk = try await reader.nextChunk() else { return nil }
            head.record(chunk)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader, head: head, prefix: prefix[...]) }

    /// Reads the part until `head` holds `ContentSniffer.window` bytes or the part ends, and
    /// answers the part's bytes with those chunks as their prefix: what it is can be decided
    /// before its bytes go anywhere.
    static func sniffing(_ reader: MultipartReader<Body>) async throws -> PartBytes {
        let head = HeadRecorder()
        var prefix: [ByteBuffer] = []
        while head.bytes.count < ContentSniffer.window, let chunk = try await reader.nextChunk() {
            head.record(chunk)
            prefix.append(chunk)
        }
        return PartBytes(reader: reader, head: head, prefix: prefix)
    }
}

/// The first `ContentSniffer.window` bytes that passed through.
final class HeadRecorder {
    private(set) var bytes: [UInt8] = []

    init(_ bytes: [UInt8] = []) {
        self.bytes = bytes
    }

    func record(_ chunk: ByteBuffer) {
        let missing = ContentSniffer.window - bytes.count
        if missing > 0 { bytes.append(contentsOf: chunk.readableBytesView.prefix(missing)) }
    }
}
