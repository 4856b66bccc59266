public import AtriumRuntime
public import HTTPTypes

/// Why an uploaded zip, or one entry of it, is refused.
public enum ZipRefusal: Error, Sendable, Equatable {
    /// No end of central directory: not a zip at all.
    case notAZip
    /// The structure is broken or inconsistent (offsets, signatures, local header against central directory).
    case malformed(String)
    case tooManyEntries(limit: Int)
    /// All entries together uncompress to more bytes than allowed.
    case tooLarge(limit: Int64)
    /// One entry uncompresses to more than `limit` times its compressed size.
    case ratioTooHigh(limit: Int)
    /// The whole archive uncompresses to more than `limit` times its length.
    case archiveRatioTooHigh(limit: Int)
    case absolutePath
    /// A first segment like `C:`.
    case driveLetter
    case backslash
    /// A `..` segment, which would climb out of the target folder.
    case parentSegment
    /// A `.` segment.
    case dotSegment
    /// `a//b`, or a segment of spaces only.
    case emptySegment
    /// NUL, other C0 and C1 controls, and the bidirectional overrides that disguise a name.
    case controlCharacter
    /// Marked UTF-8 (general purpose bit 11) but not valid UTF-8.
    case invalidEncoding
    case nameTooLong(limit: Int)
    case tooDeep(limit: Int)
    case symlink
    /// A device, FIFO or socket.
    case specialFile
    /// General purpose bit 0 (ZipCrypto, AES) or strong encryption.
    case encrypted
    /// Anything but stored (0) and deflate (8).
    case unsupportedCompression(method: UInt16)
    /// The same path as an earlier entry (compared in any case, after Unicode normalisation).
    case duplicate(of: String)
    /// A file and a folder with the same path.
    case fileFolderClash(with: String)
    /// The entry's data is larger than its central directory says: a lying directory.
    case exceedsDeclaredSize(declared: Int64)
    /// The entry's data is smaller than its central directory says.
    case shorterThanDeclared(declared: Int64)
    case checksumMismatch
    /// The compressed data does not inflate, or ends early.
    case corruptData
}

/// An uploaded zip refused, naming the entry at fault (nil when the archive as a whole is).
public struct ZipError: Error, Sendable, Equatable {
    /// The entry's name as stored in the archive (decoded, controls shown as U+FFFD).
    public var entry: String?
    public var reason: ZipRefusal

    public init(_ reason: ZipRefusal, entry: String? = nil) {
        self.entry = entry
        self.reason = reason
    }
}

/// The caller's `store` failed (or stopped reading early) for `entry`; `underlying` says why.
public struct ZipStoreError: Error, Sendable {
    public var entry: String
    public var underlying: any Error
}

/// `store` returned before it read the entry's bytes to the end, so they were never verified.
public struct ZipEntryNotDrained: Error, Sendable {}

extension ZipError: ProblemConvertible {
    public var httpStatus: HTTPResponse.Status {
        switch reason {
        case .tooManyEntries, .tooLarge, .ratioTooHigh, .archiveRatioTooHigh: .contentTooLarge
        default: .unprocessableContent
        }
    }

    public var problemSlug: String {
        switch reason {
        case .notAZip: "zip-unreadable"
        case .malformed, .exceedsDeclaredSize, .shorterThanDeclared, .checksumMismatch, .corruptData: "zip-corrupt"
        case .tooManyEntries, .tooLarge, .ratioTooHigh, .archiveRatioTooHigh: "zip-too-large"
        case .absolutePath, .driveLetter, .backslash, .parentSegment, .dotSegment, .emptySegment: "zip-unsafe-path"
        case .controlCharacter, .invalidEncoding, .nameTooLong, .tooDeep: "zip-invalid-name"
        case .symlink, .specialFile: "zip-link"
        case .encrypted: "zip-encrypted"
        case .unsupportedCompression: "zip-unsupported"
        case .duplicate, .fileFolderClash: "zip-duplicate"
        }
    }

    public var problemDetail: String {
        guard let entry else { return "The zip file \(why)." }
        return "The zip file's entry \"\(entry)\" \(why)."
    }

    /// The reason as the end of a sentence.
    private var why: String {
        switch reason {
        case .notAZip: "is not a zip file (no central directory)"
        case .malformed(let what): "is damaged: \(what)"
        case .tooManyEntries(let limit): "has more than \(limit) entries"
        case .tooLarge(let limit): "would unpack to more than \(limit) bytes"
        case .ratioTooHigh(let limit), .archiveRatioTooHigh(let limit): "is compressed more than \(limit) to 1, like a zip bomb"
        case .absolutePath: "has an absolute path"
        case .driveLetter: "names a drive"
        case .backslash: "has a backslash in its path"
        case .parentSegment: "climbs out of its folder with \"..\""
        case .dotSegment: "has a \".\" in its path"
        case .emptySegment: "has an empty folder name in its path"
        case .controlCharacter: "has control characters in its name"
        case .invalidEncoding: "has a name that is not valid UTF-8"
        case .nameTooLong(let limit): "has a name longer than \(limit) characters"
        case .tooDeep(let limit): "is nested more than \(limit) folders deep"
        case .symlink: "is a symbolic link"
        case .specialFile: "is a device, pipe or socket"
        case .encrypted: "is encrypted"
        case .unsupportedCompression(let method): "uses compression method \(method) (only stored and deflate are read)"
        case .duplicate(let other): "has the same path as \"\(other)\" (names are compared in any case)"
        case .fileFolderClash(let other): "is a file and a folder at once (\"\(other)\")"
        case .exceedsDeclaredSize(let size): "holds more than the \(size) bytes it declares"
        case .shorterThanDeclared(let size): "holds fewer than the \(size) bytes it declares"
        case .checksumMismatch: "fails its CRC-32 check"
        case .corruptData: "has compressed data that cannot be read"
        }
    }
}
