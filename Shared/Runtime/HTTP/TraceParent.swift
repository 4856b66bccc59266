import Synchronization

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

    /// `bytes` random bytes as lower-case hex. Trace and span ids need to be unique, not secret:
    /// they come from a fast generator seeded once from the system's, rather than a system call
    /// per draw (every request makes three of these).
    static func randomHex(bytes: Int) -> String {
        let words = (bytes + 7) / 8
        var digits: [UInt8] = []
        digits.reserveCapacity(words * 16)
        idGenerator.withLock { generator in
            for _ in 0..<words {
                let word = generator.next()
                for shift in stride(from: 60, through: 0, by: -4) { digits.append(hexDigits[Int((word >> UInt64(shift)) & 0xF)]) }
            }
        }
        return String(decoding: digits.prefix(bytes * 2), as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let idGenerator: Mutex<SplitMix64> = {
        var system = SystemRandomNumberGenerator()
        return Mutex(SplitMix64(seed: system.next()))
    }()
}

/// SplitMix64: a small, fast generator with a full 2^64 period; good for ids, not for secrets.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
