/// A W3C Trace Context `traceparent` value (version 00).
public struct TraceParent: Sendable, Equatable, CustomStringConvertible {
    public var traceID: String
    public var spanID: String
    public var sampled: Bool

    /// A new trace with a random trace id and span id.
    public static func random() -> TraceParent {
        TraceParent(traceID: randomHex(bytes: 16), spanID: randomHex(bytes: 8), sampled: true)
    }

    /// Parses a header value; returns nil for anything malformed, per the spec's "restart the trace".
    public init?(header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00",
            parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit), parts[1] != String(repeating: "0", count: 32),
            parts[2].count == 16, parts[2].allSatisfy(\.isHexDigit), parts[2] != String(repeating: "0", count: 16),
            parts[3].count == 2, let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        self.init(traceID: parts[1].lowercased(), spanID: parts[2].lowercased(), sampled: flags & 1 == 1)
    }

    public init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// The same trace with a new span: what this service passes on to the ones it calls.
    public func child() -> TraceParent {
        TraceParent(traceID: traceID, spanID: Self.randomHex(bytes: 8), sampled: sampled)
    }

    public var description: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    /// `bytes` random bytes as lower-case hex. Drawn eight at a time: every request makes three
    /// of these, and each draw from the system generator is a system call.
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(bytes * 2)
        for _ in 0..<((bytes + 7) / 8) {
            text += String(generator.next(), radix: 16).leftPadded(to: 16)
        }
        return String(text.prefix(bytes * 2))
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
