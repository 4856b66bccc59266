import Foundation
import ZIPFoundation

/// Reads one planned file's bytes, synchronously, trusting nothing the archive declares: the
/// bytes are counted as they come out and the entry is abandoned the moment it outgrows its
/// declared size or the plan's byte budget, then its length and CRC-32 are checked.
enum ZipEntryReader {
    static let localSignature: UInt32 = 0x0403_4b50

    /// Hands the entry's bytes to `consumer` in chunks of at most `bufferSize`; throws `ZipError`
    /// naming the entry when the archive is at fault, and `consumer`'s own errors unchanged.
    /// - Parameter spent: uncompressed bytes earlier entries of the same archive produced.
    static func read(_ file: ZipPlan.File, from source: ZipSource, bufferSize: Int, limits: ZipLimits, spent: Int64,
                     into consumer: (Data) throws -> Void) throws {
        let record = file.record
        let refuse = { (reason: ZipRefusal) in ZipError(reason, entry: file.entry) }
        let dataStart: Int64
        do throws(ZipError) { dataStart = try dataOffset(file, in: source) } catch { throw refuse(error.reason) }
        var written: Int64 = 0
        var crc = CRC32(0)
        func forward(_ chunk: Data) throws {
            guard Int64(chunk.count) <= file.size - written else { throw refuse(.exceedsDeclaredSize(declared: file.size)) }
            guard Int64(chunk.count) <= limits.maxBytes - spent - written else { throw refuse(.tooLarge(limit: limits.maxBytes)) }
            written += Int64(chunk.count)
            crc = chunk.crc32(checksum: crc)
            // The caller's errors travel wrapped, so they are not mistaken for bad compressed data.
            do { if !chunk.isEmpty { try consumer(chunk) } } catch { throw CallerFailure(error: error) }
        }
        do {
            if record.method == 0 {
                try copy(record.compressedSize, at: dataStart, from: source, bufferSize: bufferSize, into: forward)
            } else {
                try inflate(record.compressedSize, at: dataStart, from: source, bufferSize: bufferSize, into: forward)
            }
        } catch let failure as CallerFailure {
            throw failure.error
        } catch let error as ZipError {
            throw ZipError(error.reason, entry: file.entry)
        } catch {
            throw refuse(.corruptData)
        }
        guard written == file.size else { throw refuse(.shorterThanDeclared(declared: file.size)) }
        guard crc == record.crc32 else { throw refuse(.checksumMismatch) }
    }

    /// Checks the local header against the central directory (same name, method, no encryption)
    /// and returns where the data starts; the data must end before the next entry begins.
    private static func dataOffset(_ file: ZipPlan.File, in source: ZipSource) throws(ZipError) -> Int64 {
        let record = file.record
        let header = try source.read(at: record.localHeaderOffset, count: 30)
        guard header.le32(at: 0) == localSignature else { throw ZipError(.malformed("the entry's local header is missing")) }
        let nameLength = Int(header.le16(at: 26)), extraLength = Int(header.le16(at: 28))
        let name = try source.read(at: record.localHeaderOffset + 30, count: nameLength)
        guard header.le16(at: 8) == record.method, header.le16(at: 6) & 0x0041 == 0, name == record.rawName else {
            throw ZipError(.malformed("the local header disagrees with the central directory"))
        }
        let start = record.localHeaderOffset + 30 + Int64(nameLength) + Int64(extraLength)
        guard start + record.compressedSize <= file.dataLimit else { throw ZipError(.malformed("the entry overlaps the next one")) }
        return start
    }

    private static func copy(_ size: Int64, at start: Int64, from source: ZipSource, bufferSize: Int, into forward: (Data) throws -> Void) throws {
        var position: Int64 = 0
        while position < size {
            let length = Int(min(Int64(bufferSize), size - position))
            try forward(try source.read(at: start + position, count: length))
            position += Int64(length)
        }
    }

    /// Inflates through ZIPFoundation, feeding it only the entry's own compressed bytes. On Linux
    /// its inflater asks for `bufferSize` bytes every time and tells zlib that many arrived, and it
    /// loops for ever when the input runs dry before the stream ends; so each chunk is padded with
    /// zeros to the size asked for, and asking again once the entry's bytes are spent is an error.
    /// (Zeros a crafted stream inflates from the padding are still counted and CRC-checked.)
    private static func inflate(_ size: Int64, at start: Int64, from source: ZipSource, bufferSize: Int, into forward: (Data) throws -> Void) throws {
        var consumed: Int64 = 0
        _ = try Data.decompress(size: size, bufferSize: bufferSize, skipCRC32: true, provider: { _, requested in
            let length = Int(min(Int64(requested), size - consumed))
            guard length > 0 || requested == 0 else { throw ZipError(.corruptData) }
            var chunk = try source.read(at: start + consumed, count: length)
            consumed += Int64(length)
            if chunk.count < requested { chunk.append(Data(count: requested - chunk.count)) }
            return chunk
        }, consumer: forward)
    }

    /// An error of the caller's consumer, carried through ZIPFoundation's inflater.
    private struct CallerFailure: Error {
        let error: any Error
    }
}
