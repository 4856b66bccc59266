public import Foundation
public import NIOCore

/// Where document bytes live: the local file system (`LocalBlobStore`) or an S3-compatible
/// bucket (`S3BlobStore`). The database keeps what a document is; a blob store keeps only its
/// bytes, under a key the service generates.
///
/// Every store streams: memory stays bounded (a chunk, or one S3 part) whatever a blob's size.
public protocol BlobStore: Sendable {
    /// Stores `body` under `key`, replacing any blob there, and answers its size and SHA-256,
    /// computed as the bytes pass.
    ///
    /// The blob appears only once the body has ended and every byte is stored: a body that throws,
    /// a cancelled task or a crash leaves nothing under `key` — at most a temporary (an incomplete
    /// upload) that `removeAbandoned(before:)` removes later.
    /// - Throws: the body's own error, or `BlobStoreError.unavailable` when the storage fails.
    func put<Body: AsyncSequence>(_ key: BlobKey, body: Body) async throws -> StoredBlob where Body.Element == ByteBuffer

    /// Opens the blob under `key` for reading: all of it, or the bytes `range` names (inclusive,
    /// as in HTTP's `Range: bytes=first-last`; a last byte past the end means "to the end").
    ///
    /// Errors the caller answers differently surface here, before any byte is read, so a route
    /// can still choose its status code.
    /// - Throws: `BlobStoreError.notFound`, `BlobStoreError.rangeNotSatisfiable` when the range
    ///   starts at or past the end (every range of an empty blob), `BlobStoreError.unavailable`.
    func get(_ key: BlobKey, range: ClosedRange<Int64>?) async throws -> BlobContent

    /// Removes the blob under `key`; removing one that is not there is no error.
    func delete(_ key: BlobKey) async throws

    /// Removes what uploads cut short left behind (temporary files, incomplete multipart
    /// uploads) that were last written before `cutoff`; answers how many.
    ///
    /// A running upload writes as it goes, so only one idle since `cutoff` is taken for
    /// abandoned: pass a cut-off well past any pause a live upload could make (an hour or a day);
    /// an upload whose leftovers are removed fails.
    @discardableResult
    func removeAbandoned(before cutoff: Date) async throws -> Int
}

/// A blob's name in a store: what `Identifier.make` generates, 1 to 128 characters of lower-case
/// letters, digits, `_` and `-`, beginning with a letter or digit. Anything else is refused, so a
/// key can never name a path outside the store or a different object.
public struct BlobKey: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// - Throws: `BlobStoreError.invalidKey` unless `rawValue` matches the pattern above.
    public init(_ rawValue: String) throws(BlobStoreError) {
        let bytes = Array(rawValue.utf8)
        let allowed = { (byte: UInt8) in (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || Self.isDigit(byte) }
        guard (1...128).contains(bytes.count), let first = bytes.first, allowed(first),
            bytes.allSatisfy({ allowed($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw .invalidKey(String(rawValue.prefix(64)))
        }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}

/// What `put` stored.
public struct StoredBlob: Sendable, Equatable {
    public var key: BlobKey
    public var size: Int64
    /// Lower-case hex SHA-256 of the bytes.
    public var sha256: String

    public init(key: BlobKey, size: Int64, sha256: String) {
        self.key = key
        self.size = size
        self.sha256 = sha256
    }
}

/// A blob being read: its size, the bytes on their way, and which of them.
public struct BlobContent: Sendable {
    /// The whole blob's size, whatever part of it is read.
    public var size: Int64
    /// The offsets `chunks` yields: `0..<size` for the whole blob.
    public var range: Range<Int64>
    /// The bytes, in order; iterate once. Dropping it unread releases the file or connection.
    public var chunks: BlobChunks
}

/// Errors of a blob store that callers tell apart.
public enum BlobStoreError: Error, Equatable, CustomStringConvertible {
    /// The key does not match `BlobKey`'s pattern (its first 64 characters).
    case invalidKey(String)
    case notFound(BlobKey)
    /// The requested range starts at or past the end of a blob of `size` bytes.
    case rangeNotSatisfiable(size: Int64)
    /// The storage failed; the detail names the operation and cause, never a credential.
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalidKey(let key): "Not a blob key: \"\(key)\"."
        case .notFound(let key): "No blob \(key)."
        case .rangeNotSatisfiable(let size): "The range starts past the end of the blob (\(size) bytes)."
        case .unavailable(let detail): "The blob store failed: \(detail)"
        }
    }
}

extension BlobContent {
    /// `range` of a blob of `size` bytes as offsets, clamped to the blob's end.
    static func offsets(of range: ClosedRange<Int64>?, size: Int64) throws(BlobStoreError) -> Range<Int64> {
        guard let range else { return 0..<size }
        guard range.lowerBound >= 0, range.lowerBound < size else { throw .rangeNotSatisfiable(size: size) }
        return range.lowerBound..<(min(range.upperBound, size - 1) + 1)
    }
}
