import Crypto
public import Foundation
public import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Blobs as files under one directory (DocService's: `<data.dir>/blobs`).
///
/// A blob is `<root>/<fan-out>/<key>`, where the fan-out directory is the first two hex digits of
/// the key's SHA-256: our keys begin with a type prefix and a timestamp, so their own first
/// characters would put every file in one directory. A `put` writes `<root>/tmp/<key>.<random>`,
/// fsyncs it, renames it into place and fsyncs the directory, so a blob is either whole and
/// durable or absent; a crash leaves only the temporary, which `removeAbandoned` deletes.
public struct LocalBlobStore: BlobStore {
    public let root: String
    /// Bytes gathered before each write, and the size of the chunks `get` reads.
    let chunkSize: Int

    /// A store under `root`, created (mode 0700) if missing.
    public init(root: String, chunkSize: Int = 256 * 1024) async throws {
        self.root = root
        self.chunkSize = chunkSize
        let temporaries = root + "/tmp"
        try await BlobFiles.blocking { try BlobFiles.makeDirectory(temporaries) }
    }

    public func put<Body: AsyncSequence>(_ key: BlobKey, body: Body) async throws -> StoredBlob where Body.Element == ByteBuffer {
        let (directory, path) = location(of: key)
        let temporary = "\(root)/tmp/\(key).\(UInt64.random(in: 0...UInt64.max))"
        let chunkSize = self.chunkSize
        let fd = try await BlobFiles.blocking {
            try BlobFiles.makeDirectory(directory)
            return try BlobFiles.create(temporary)
        }
        var isOpen = true
        do {
            var hasher = SHA256()
            var size: Int64 = 0
            var pending = ByteBuffer()
            for try await chunk in body {
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                size += Int64(chunk.readableBytes)
                pending.writeImmutableBuffer(chunk)
                if pending.readableBytes >= chunkSize {
                    let bytes = pending
                    try await BlobFiles.blocking { try BlobFiles.writeAll(fd, bytes, path: temporary) }
                    pending.clear()
                }
            }
            let rest = pending
            try await BlobFiles.blocking {
                try BlobFiles.writeAll(fd, rest, path: temporary)
                try BlobFiles.sync(fd, path: temporary)
                _ = close(fd)
            }
            isOpen = false
            try await BlobFiles.blocking {
                try BlobFiles.move(temporary, to: path)
                try BlobFiles.syncDirectory(directory)
            }
            return StoredBlob(key: key, size: size, sha256: hasher.finalize().hex)
        } catch {
            let closeFirst = isOpen
            // Not cancellable: the temporary goes even when the upload's task was cancelled.
            await Task {
                try? await BlobFiles.blocking {
                    if closeFirst { _ = close(fd) }
                    try BlobFiles.remove(temporary)
                }
            }.value
            throw error
        }
    }

    public func get(_ key: BlobKey, range: ClosedRange<Int64>?) async throws -> BlobContent {
        let path = location(of: key).path
        guard let fd = try await BlobFiles.blocking({ try BlobFiles.openForReading(path) }) else { throw BlobStoreError.notFound(key) }
        do {
            let size = try await BlobFiles.blocking { try BlobFiles.size(fd, path: path) }
            let offsets = try BlobContent.offsets(of: range, size: size)
            let source = LocalChunks(fd: fd, path: path, offsets: offsets, chunkSize: chunkSize)
            return BlobContent(size: size, range: offsets, chunks: BlobChunks(source: source))
        } catch {
            close(fd)
            throw error
        }
    }

    public func delete(_ key: BlobKey) async throws {
        let path = location(of: key).path
        try await BlobFiles.blocking { _ = try BlobFiles.remove(path) }
    }

    public func removeAbandoned(before cutoff: Date) async throws -> Int {
        let temporaries = root + "/tmp"
        return try await BlobFiles.blocking {
            try BlobFiles.files(in: temporaries, writtenBefore: cutoff).reduce(0) { count, path in
                try count + (BlobFiles.remove(path) ? 1 : 0)
            }
        }
    }

    /// The fan-out directory and file of `key`.
    func location(of key: BlobKey) -> (directory: String, path: String) {
        let digest = SHA256.hash(data: Array(key.rawValue.utf8))
        let directory = root + "/" + String(format: "%02x", digest.withUnsafeBytes { $0[0] })
        return (directory, directory + "/" + key.rawValue)
    }
}

/// A file's bytes in `chunkSize` reads, one at a time on the blocking-I/O pool; the file is closed
/// at the end, on an error, or when the reader is dropped.
private final class LocalChunks: BlobChunkSource {
    private struct State {
        var fd: Int32?
        var offset: Int64
    }

    private let state: Mutex<State>
    private let path: String
    private let end: Int64
    private let chunkSize: Int

    init(fd: Int32, path: String, offsets: Range<Int64>, chunkSize: Int) {
        state = Mutex(State(fd: fd, offset: offsets.lowerBound))
        self.path = path
        end = offsets.upperBound
        self.chunkSize = chunkSize
    }

    deinit {
        state.withLock { state in
            if let fd = state.fd { close(fd) }
        }
    }

    func next() async throws -> ByteBuffer? {
        let (fd, offset) = state.withLock { ($0.fd, $0.offset) }
        guard let fd else { return nil }
        guard offset < end else {
            finish()
            return nil
        }
        let count = Int(min(Int64(chunkSize), end - offset))
        let path = self.path
        do {
            let chunk = try await BlobFiles.blocking { try BlobFiles.read(fd, at: offset, count: count, path: path) }
            state.withLock { $0.offset += Int64(chunk.readableBytes) }
            return chunk
        } catch {
            finish()
            throw error
        }
    }

    private func finish() {
        state.withLock { state in
            if let fd = state.fd { close(fd) }
            state.fd = nil
        }
    }
}
