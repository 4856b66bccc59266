import AtriumRuntime
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Temporary files for uploaded zips (`<data.dir>/uploads`): an archive is read from its end
/// (the central directory), so its bytes are written down before it is planned and unpacked.
/// Every file is removed when its request ends, whatever the outcome; the hourly sweep removes
/// what a crash left (`removeAbandoned`).
struct UploadSpool: Sendable {
    /// Bytes gathered before each write.
    static let chunkSize = 256 * 1024

    let directory: String

    /// The spool of the service whose data directory is `dataDirectory`.
    init(dataDirectory: String) {
        directory = dataDirectory + "/uploads"
    }

    /// Writes `body` to a new file and answers its path; on failure the file is removed.
    func write<Body: AsyncSequence>(_ body: Body) async throws -> String where Body.Element == ByteBuffer {
        let path = "\(directory)/\(Identifier.make("zip")).zip"
        let directory = self.directory
        let fd = try await BlobFiles.blocking {
            try BlobFiles.makeDirectory(directory)
            return try BlobFiles.create(path)
        }
        do {
            var pending = ByteBuffer()
            for try await chunk in body {
                pending.writeImmutableBuffer(chunk)
                if pending.readableBytes >= Self.chunkSize {
                    let bytes = pending
                    try await BlobFiles.blocking { try BlobFiles.writeAll(fd, bytes, path: path) }
                    pending.clear()
                }
            }
            let rest = pending
            try await BlobFiles.blocking {
                defer { close(fd) }
                try BlobFiles.writeAll(fd, rest, path: path)
            }
            return path
        } catch {
            await remove(path, closing: fd)
            throw error
        }
    }

    /// Removes a spooled file; best effort and not cancellable (the sweep takes what is left).
    func remove(_ path: String) async {
        await remove(path, closing: nil)
    }

    private func remove(_ path: String, closing fd: Int32?) async {
        await Task {
            try? await BlobFiles.blocking {
                if let fd { close(fd) }
                try BlobFiles.remove(path)
            }
        }.value
    }

    /// Removes files last written before `cutoff` (left by a crash mid-request); answers how many.
    @discardableResult
    func removeAbandoned(before cutoff: Date) async throws -> Int {
        let directory = self.directory
        return try await BlobFiles.blocking {
            try BlobFiles.files(in: directory, writtenBefore: cutoff).reduce(0) { count, path in
                try count + (BlobFiles.remove(path) ? 1 : 0)
            }
        }
    }
}

/// A spooled file's bytes as an async sequence, read in `UploadSpool.chunkSize` chunks. The file
/// is opened for each chunk, so an iterator dropped half-way holds no descriptor.
struct SpooledFile: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        var offset: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            let (path, offset) = (self.path, self.offset)
            let chunk: ByteBuffer? = try await BlobFiles.blocking {
                guard let fd = try BlobFiles.openForReading(path) else { throw BlobStoreError.unavailable("open \(path): the file is gone") }
                defer { close(fd) }
                let size = try BlobFiles.size(fd, path: path)
                guard offset < size else { return nil }
                return try BlobFiles.read(fd, at: offset, count: Int(Swift.min(Int64(UploadSpool.chunkSize), size - offset)), path: path)
            }
            self.offset += Int64(chunk?.readableBytes ?? 0)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path) }
}
