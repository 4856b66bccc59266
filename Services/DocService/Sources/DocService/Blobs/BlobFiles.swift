import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX calls `LocalBlobStore` makes, each on NIO's blocking-I/O thread pool, never on the
/// cooperative pool; failures become `BlobStoreError.unavailable` naming the call and errno.
enum BlobFiles {
    /// Runs `body` on the blocking-I/O pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    static func failure(_ call: String, _ path: String, _ code: Int32 = errno) -> BlobStoreError {
        .unavailable("\(call) \(path): \(String(cString: strerror(code)))")
    }

    /// `mkdir -p` for the store's own directories (mode 0700: documents are nobody else's).
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw BlobStoreError.unavailable("mkdir \(path): \(error.localizedDescription)")
        }
    }

    /// Creates `path`, which must not exist, for writing.
    static func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open", path) }
        return fd
    }

    /// Opens `path` for reading; nil when there is no such file.
    static func openForReading(_ path: String) throws -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0, errno == ENOENT { return nil }
        guard fd >= 0 else { throw failure("open", path) }
        return fd
    }

    static func size(_ fd: Int32, path: String) throws -> Int64 {
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw failure("lseek", path) }
        return Int64(end)
    }

    /// Writes every byte of `bytes`, however many calls it takes.
    static func writeAll(_ fd: Int32, _ bytes: ByteBuffer, path: String) throws {
        try bytes.withUnsafeReadableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("write", path)
                }
                offset += written
            }
        }
    }

    /// Up to `count` bytes at `offset`.
    static func read(_ fd: Int32, at offset: Int64, count: Int, path: String) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            while true {
                let read = pread(fd, target.baseAddress!, count, off_t(offset))
                if read >= 0 { return read }
                if errno != EINTR { throw failure("read", path) }
            }
        }
        guard read > 0 else { throw BlobStoreError.unavailable("read \(path): the file ended early") }
        return buffer
    }

    /// Flushes `fd`'s bytes to the disk.
    static func sync(_ fd: Int32, path: String) throws {
        guard fsync(fd) == 0 else { throw failure("fsync", path) }
    }

    /// Makes a rename or creation in `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("fsync", directory) }
    }

    /// Renames `from` to `to`, replacing `to` atomically.
    static func move(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else { throw failure("rename", to) }
    }

    /// Removes `path`; true when it was there.
    @discardableResult
    static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw failure("unlink", path)
    }

    /// The regular files in `directory` last written before `cutoff`.
    static func files(in directory: String, writtenBefore cutoff: Date) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.compactMap { name in
            let path = directory + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let written = attributes[.modificationDate] as? Date else { return nil }
            return written < cutoff ? path : nil
        }
    }
}
