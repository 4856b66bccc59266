import Foundation

/// What unpacking a zip will create below the target folder, decided from the central directory
/// alone before any byte is written: folders first (parents before children), then files, each
/// list in path order, so the same archive always gives the same plan.
public struct ZipPlan: Sendable, Equatable {
    /// A file to create, with the size the archive declares (extraction holds it to that).
    public struct File: Sendable, Equatable {
        /// Slash-separated, normalised (NFC, trimmed) names below the target folder.
        public let path: String
        /// Uncompressed bytes, as declared.
        public let size: Int64
        /// The entry's name as stored, for messages.
        public let entry: String
        let record: ZipRecord
        /// Where the next local header (or the central directory) starts: this entry's data must end before it.
        let dataLimit: Int64

        /// The last segment: the document's name.
        public var name: String { path.split(separator: "/").last.map(String.init) ?? path }
        /// The folder it goes in; "" for the target folder itself.
        public var folder: String { path.split(separator: "/").dropLast().joined(separator: "/") }
    }

    /// Folder paths to create, each one's parent before it (implied parents included).
    public let folders: [String]
    public let files: [File]
    /// Junk entries left out (`__MACOSX/…`, `.DS_Store`, `Thumbs.db`), by stored name.
    public let skipped: [String]
    /// The sum of the files' declared sizes.
    public let totalBytes: Int64
    /// Folder levels below the target the deepest entry needs (the caller adds the target's own depth).
    public let depth: Int
    /// The limits the plan was checked against; extraction holds the bytes to them too.
    public let limits: ZipLimits
}

/// Decides a `ZipPlan` from the central directory, refusing the whole archive at the first
/// entry that breaks a rule (docs/DECISIONS.md, "Zip unpacking").
public enum ZipInspector {
    /// Reads only the central directory of `source` and checks every entry against `limits`.
    public static func plan(_ source: ZipSource, limits: ZipLimits = ZipLimits()) throws(ZipError) -> ZipPlan {
        let (end, records) = try ZipDirectory.records(in: source, maxEntries: limits.maxEntries)
        let limitsByOffset = try dataLimits(records, directoryOffset: end.offset)
        var builder = PlanBuilder(limits: limits)
        var total: Int64 = 0
        for record in records {
            let entry = ZipPath.display(record)
            do throws(ZipRefusal) {
                total = try checkSizes(record, total: total, limits: limits)
                try builder.add(record, dataLimit: limitsByOffset[record.localHeaderOffset] ?? end.offset)
            } catch {
                throw ZipError(error, entry: entry)
            }
        }
        if total > limits.ratioFloorBytes, Double(total) / Double(max(source.count, 1)) > Double(limits.maxArchiveRatio) {
            throw ZipError(.archiveRatioTooHigh(limit: limits.maxArchiveRatio))
        }
        return builder.plan(totalBytes: builder.files.values.reduce(0) { $0 + $1.size })
    }

    /// Declared sizes against the limits; returns the running total of uncompressed bytes.
    private static func checkSizes(_ record: ZipRecord, total: Int64, limits: ZipLimits) throws(ZipRefusal) -> Int64 {
        if record.isEncrypted { throw .encrypted }
        guard record.method == 0 || record.method == 8 else { throw .unsupportedCompression(method: record.method) }
        if record.method == 0, record.compressedSize != record.uncompressedSize {
            throw .malformed("a stored entry's compressed and uncompressed sizes differ")
        }
        let (sum, overflow) = total.addingReportingOverflow(record.uncompressedSize)
        guard !overflow, sum <= limits.maxBytes else { throw .tooLarge(limit: limits.maxBytes) }
        if record.uncompressedSize > limits.ratioFloorBytes,
            Double(record.uncompressedSize) / Double(max(record.compressedSize, 1)) > Double(limits.maxEntryRatio)
        {
            throw .ratioTooHigh(limit: limits.maxEntryRatio)
        }
        return sum
    }

    /// Each entry's data must end before the next local header starts: entries that share or
    /// overlap their data (the "better zip bomb") are refused. Extraction checks the exact end.
    private static func dataLimits(_ records: [ZipRecord], directoryOffset: Int64) throws(ZipError) -> [Int64: Int64] {
        let offsets = records.map(\.localHeaderOffset).sorted()
        var limits: [Int64: Int64] = [:]
        for (index, offset) in offsets.enumerated() {
            guard offset < directoryOffset else { throw ZipError(.malformed("an entry starts inside the central directory")) }
            if index > 0, offsets[index - 1] == offset { throw ZipError(.malformed("two entries share their data")) }
            limits[offset] = index + 1 < offsets.count ? offsets[index + 1] : directoryOffset
        }
        return limits
    }
}
