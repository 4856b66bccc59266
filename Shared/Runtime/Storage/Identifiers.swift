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
