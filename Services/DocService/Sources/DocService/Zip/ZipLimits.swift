import AtriumRuntime
public import Configuration

/// How much an uploaded zip may hold before it is refused unread (docs/DECISIONS.md, "Zip
/// unpacking"). DocService's own settings, read from its configuration's reader.
public struct ZipLimits: Sendable, Equatable {
    /// Entries in the central directory, junk and folders included (`zip.max.entries`).
    public var maxEntries: Int
    /// Uncompressed bytes of all entries together, declared and actual (`zip.max.bytes`).
    public var maxBytes: Int64
    /// Uncompressed size over compressed size of one entry (`zip.max.ratio`)...
    public var maxEntryRatio: Int
    /// ...and of the whole archive: all uncompressed bytes over the archive's length (also `zip.max.ratio`).
    public var maxArchiveRatio: Int
    /// The ratios are only checked above this many uncompressed bytes: a small file of zeros
    /// compresses a thousandfold and is harmless, and no entry can outgrow its declared size.
    public var ratioFloorBytes: Int64
    /// Folder levels an entry may create below the target folder (a folder tree is at most 20 deep).
    public var maxDepth: Int
    /// Characters (Unicode scalars) in one file or folder name, as for folders made by hand.
    public var maxNameLength: Int

    public init(
        maxEntries: Int = 10_000, maxBytes: Int64 = 1 << 30, maxEntryRatio: Int = 100, maxArchiveRatio: Int = 100,
        ratioFloorBytes: Int64 = 1 << 20, maxDepth: Int = 20, maxNameLength: Int = 120
    ) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.maxEntryRatio = maxEntryRatio
        self.maxArchiveRatio = maxArchiveRatio
        self.ratioFloorBytes = ratioFloorBytes
        self.maxDepth = maxDepth
        self.maxNameLength = maxNameLength
    }

    /// Reads `zip.max.entries`, `zip.max.bytes` and `zip.max.ratio`; the rest keep their defaults.
    public init(reader: ConfigReader) throws {
        let defaults = ZipLimits()
        let ratio = try ServiceConfiguration.integer(reader, "zip.max.ratio", default: defaults.maxEntryRatio, in: 1...1_000_000)
        self.init(
            maxEntries: try ServiceConfiguration.integer(reader, "zip.max.entries", default: defaults.maxEntries, in: 1...1_000_000),
            maxBytes: Int64(try ServiceConfiguration.integer(reader, "zip.max.bytes", default: Int(defaults.maxBytes), in: 1...(1 << 40))),
            maxEntryRatio: ratio,
            maxArchiveRatio: ratio
        )
    }
}
