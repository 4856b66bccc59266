public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of an uploaded zip, read at any offset (the central directory is at the end).
/// Safe to read from several threads at once.
public struct ZipSource: Sendable {
    /// The archive's length in bytes.
    public let count: Int64
    private let reader: @Sendable (Int64, Int) throws -> Data

    /// A zip held in memory (tests, small uploads).
    public static func data(_ data: Data) -> ZipSource {
        ZipSource(count: Int64(data.count)) { offset, length in
            let start = data.startIndex + Int(offset)
            return data.subdata(in: start..<(start + length))
        }
    }

    /// A zip in a file (an upload spooled to disk), read with `pread` so readers share no position.
    public static func file(at path: String) throws -> ZipSource {
        let file = try OpenFile(path: path)
        return ZipSource(count: file.size) { offset, length in try file.read(at: offset, count: length) }
    }

    private init(count: Int64, reader: @escaping @Sendable (Int64, Int) throws -> Data) {
        self.count = count
        self.reader = reader
    }

    /// Exactly `length` bytes at `offset`; a range past the end is a malformed archive.
    func read(at offset: Int64, count length: Int) throws(ZipError) -> Data {
        guard offset >= 0, length >= 0, offset <= count, Int64(length) <= count - offset else {
            throw ZipError(.malformed("a record lies outside the file"))
        }
        do {
            let data = try reader(offset, length)
            guard data.count == length else { throw ZipError(.malformed("the file ends early")) }
            return data
        } catch let error as ZipError {
            throw error
        } catch {
            throw ZipError(.malformed("the file cannot be read (\(error))"))
        }
    }
}

/// A read-only file descriptor, closed when the last reader lets go.
private final class OpenFile: Sendable {
    let descriptor: Int32
    let size: Int64

    init(path: String) throws {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else {
            close(descriptor)
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        size = Int64(end)
    }

    deinit { close(descriptor) }

    func read(at offset: Int64, count: Int) throws -> Data {
        var data = Data(count: count)
        var done = 0
        while done < count {
            let got = data.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base + done, count - done, off_t(offset) + off_t(done))
            }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            done += got
        }
        return data.prefix(done)
    }
}
