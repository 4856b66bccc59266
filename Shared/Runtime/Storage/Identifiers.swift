public import Foundation

/// Identifiers that sort by creation time: `<prefix>_<12 hex ms><16 hex random>`.
///
/// Time-ordered ids make cursor pagination a plain `id < cursor` and keep indexes append-only.
public enum Identifier {
    public static func make(_ prefix: String, now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let time = String(millis, radix: 16).leftPadded(to: 12)
        return "\(prefix)_\(time)\(TraceParent.randomHex(bytes: 8))"
    }

    /// Whether `text` has the shape of an id `make(prefix)` gives: the prefix, `_`, 28 lower-case
    /// hex digits. Ids named in a request are checked with it before they go anywhere (an event,
    /// a row), whatever the owner of the id later says about it.
    public static func isWellFormed(_ text: String, prefix: String) -> Bool {
        let digits = text.utf8.dropFirst(prefix.utf8.count + 1)
        return text.hasPrefix(prefix + "_") && digits.count == 28
            && digits.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// Times are stored as Unix milliseconds (BIGINT) so both engines compare them the same way.
public enum EpochMillis {
    public static func now(_ date: Date = Date()) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static func date(millis: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
    }
}
