import Foundation

/// One central directory record, as stored (APPNOTE.TXT 4.3.12), with ZIP64 sizes applied.
struct ZipRecord: Sendable, Equatable {
    var versionMadeBy: UInt16
    var flags: UInt16
    var method: UInt16
    var crc32: UInt32
    var compressedSize: Int64
    var uncompressedSize: Int64
    var externalAttributes: UInt32
    var localHeaderOffset: Int64
    var rawName: Data
    var extra: Data

    var isEncrypted: Bool { flags & 0x0001 != 0 || flags & 0x0040 != 0 }
    var isUTF8: Bool { flags & 0x0800 != 0 }
}

/// Reads the central directory, and nothing else: no local header, no entry data.
enum ZipDirectory {
    static let endSignature: UInt32 = 0x0605_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let zip64EndSignature: UInt32 = 0x0606_4b50
    static let centralSignature: UInt32 = 0x0201_4b50

    /// Where the directory is and how many records it declares.
    struct End: Equatable {
        var entries: Int64
        var offset: Int64
        var size: Int64
    }

    /// Every record, in directory order; refuses more than `maxEntries` before reading any.
    static func records(in source: ZipSource, maxEntries: Int) throws(ZipError) -> (End, [ZipRecord]) {
        let end = try findEnd(in: source)
        guard end.entries <= Int64(maxEntries) else { throw ZipError(.tooManyEntries(limit: maxEntries)) }
        guard end.offset >= 0, end.size >= 0, end.offset + end.size <= source.count else {
            throw ZipError(.malformed("the central directory lies outside the file"))
        }
        var records: [ZipRecord] = []
        var position = end.offset
        for _ in 0..<end.entries {
            let record = try readRecord(in: source, at: &position, limit: end.offset + end.size)
            records.append(record)
        }
        guard position == end.offset + end.size else {
            throw ZipError(.malformed("the central directory holds more than its \(end.entries) declared entries"))
        }
        return (end, records)
    }

    /// The end of central directory record, searched backwards over the longest possible comment;
    /// its ZIP64 counterpart when the locator sits right before it.
    static func findEnd(in source: ZipSource) throws(ZipError) -> End {
        let tailLength = Int(min(source.count, 22 + 0xFFFF))
        guard tailLength >= 22 else { throw ZipError(.notAZip) }
        let tailStart = source.count - Int64(tailLength)
        let tail = try source.read(at: tailStart, count: tailLength)
        var index = tailLength - 22
        while index >= 0 {
            if tail.le32(at: index) == endSignature, index + 22 + Int(tail.le16(at: index + 20)) <= tailLength {
                break
            }
            index -= 1
        }
        guard index >= 0 else { throw ZipError(.notAZip) }
        guard tail.le16(at: index + 4) == 0, tail.le16(at: index + 6) == 0 else {
            throw ZipError(.malformed("archives split over several disks are not read"))
        }
        let endOffset = tailStart + Int64(index)
        if endOffset >= 20, let zip64 = try zip64End(in: source, locatorAt: endOffset - 20) { return zip64 }
        return End(entries: Int64(tail.le16(at: index + 10)), offset: Int64(tail.le32(at: index + 16)),
                   size: Int64(tail.le32(at: index + 12)))
    }

    private static func zip64End(in source: ZipSource, locatorAt offset: Int64) throws(ZipError) -> End? {
        let locator = try source.read(at: offset, count: 20)
        guard locator.le32(at: 0) == zip64LocatorSignature else { return nil }
        let recordOffset = locator.le64(at: 8)
        guard recordOffset <= UInt64(source.count) else { throw ZipError(.malformed("the ZIP64 end record lies outside the file")) }
        let record = try source.read(at: Int64(recordOffset), count: 56)
        guard record.le32(at: 0) == zip64EndSignature else { throw ZipError(.malformed("the ZIP64 end record is missing")) }
        let entries = record.le64(at: 32), size = record.le64(at: 40), start = record.le64(at: 48)
        guard entries <= UInt64(Int64.max), size <= UInt64(source.count), start <= UInt64(source.count) else {
            throw ZipError(.malformed("the ZIP64 end record is out of range"))
        }
        return End(entries: Int64(entries), offset: Int64(start), size: Int64(size))
    }

    private static func readRecord(in source: ZipSource, at position: inout Int64, limit: Int64) throws(ZipError) -> ZipRecord {
        guard position + 46 <= limit else { throw ZipError(.malformed("the central directory ends early")) }
        let fixed = try source.read(at: position, count: 46)
        guard fixed.le32(at: 0) == centralSignature else { throw ZipError(.malformed("a central directory record is damaged")) }
        let nameLength = Int(fixed.le16(at: 28)), extraLength = Int(fixed.le16(at: 30)), commentLength = Int(fixed.le16(at: 32))
        let variableLength = nameLength + extraLength + commentLength
        guard position + 46 + Int64(variableLength) <= limit else { throw ZipError(.malformed("the central directory ends early")) }
        let variable = try source.read(at: position + 46, count: nameLength + extraLength)
        position += 46 + Int64(variableLength)
        var record = ZipRecord(
            versionMadeBy: fixed.le16(at: 4), flags: fixed.le16(at: 8), method: fixed.le16(at: 10), crc32: fixed.le32(at: 16),
            compressedSize: Int64(fixed.le32(at: 20)), uncompressedSize: Int64(fixed.le32(at: 24)),
            externalAttributes: fixed.le32(at: 38), localHeaderOffset: Int64(fixed.le32(at: 42)),
            rawName: variable.prefix(nameLength), extra: variable.suffix(from: variable.startIndex + nameLength))
        guard fixed.le16(at: 34) == 0 || fixed.le16(at: 34) == 0xFFFF else {
            throw ZipError(.malformed("archives split over several disks are not read"))
        }
        try applyZip64(to: &record)
        return record
    }

    /// The ZIP64 extra field (id 1) holds, in this order, each of the values set to all ones in the record.
    private static func applyZip64(to record: inout ZipRecord) throws(ZipError) {
        let wide: UInt32 = 0xFFFF_FFFF
        let needed = [record.uncompressedSize == wide, record.compressedSize == wide, record.localHeaderOffset == wide]
        guard needed.contains(true) else { return }
        guard let field = ZipExtra.field(1, in: record.extra) else { throw ZipError(.malformed("a ZIP64 entry lacks its sizes")) }
        var values: [Int64] = []
        for index in stride(from: 0, to: field.count - 7, by: 8) {
            let value = field.le64(at: index)
            guard value <= UInt64(Int64.max) else { throw ZipError(.malformed("a ZIP64 size is out of range")) }
            values.append(Int64(value))
        }
        guard values.count >= needed.filter({ $0 }).count else { throw ZipError(.malformed("a ZIP64 entry lacks its sizes")) }
        var next = values.makeIterator()
        if needed[0], let value = next.next() { record.uncompressedSize = value }
        if needed[1], let value = next.next() { record.compressedSize = value }
        if needed[2], let value = next.next() { record.localHeaderOffset = value }
    }
}

/// Extra fields: a list of (id, length, data), little-endian.
enum ZipExtra {
    static func field(_ id: UInt16, in extra: Data) -> Data? {
        let bytes = Data(extra)
        var index = 0
        while index + 4 <= bytes.count {
            let fieldID = bytes.le16(at: index), length = Int(bytes.le16(at: index + 2))
            guard index + 4 + length <= bytes.count else { return nil }
            if fieldID == id { return bytes.subdata(in: (index + 4)..<(index + 4 + length)) }
            index += 4 + length
        }
        return nil
    }
}

extension Data {
    /// Little-endian integers at an offset from the start (callers check the length first).
    func le16(at offset: Int) -> UInt16 {
        let start = startIndex + offset
        return UInt16(self[start]) | UInt16(self[start + 1]) << 8
    }

    func le32(at offset: Int) -> UInt32 {
        UInt32(le16(at: offset)) | UInt32(le16(at: offset + 2)) << 16
    }

    func le64(at offset: Int) -> UInt64 {
        UInt64(le32(at: offset)) | UInt64(le32(at: offset + 4)) << 32
    }
}
