import Foundation

/// Zip archives written byte by byte at run time, the hostile ones that no zip library will
/// make among them: every field the unpacking code reads can be set to a lie.
enum HostileZips {
    /// One entry: what its local header and central directory record say, and its data.
    struct Entry: Sendable {
        var name: [UInt8]
        /// The real (uncompressed) content.
        var content: [UInt8] = []
        /// 0 stored, 8 deflate (written by `Deflate.fixed`), anything else as given.
        var method: UInt16 = 0
        /// Bit 11: the name is UTF-8.
        var flags: UInt16 = 0x0800
        /// Upper byte: the host (3 Unix, 0 MS-DOS).
        var madeBy: UInt16 = 0x031E
        /// Upper half: the Unix mode; bit 4: the MS-DOS directory attribute.
        var attributes: UInt32 = 0o100644 << 16
        /// Sizes and CRC to declare instead of the true ones.
        var declaredSize: UInt32?
        var declaredCRC: UInt32?
        /// Raw data to write instead of encoding `content`.
        var rawData: [UInt8]?
        /// A different name in the local header.
        var localName: [UInt8]?
        /// The index of an earlier entry whose local header this one's record points at.
        var sharesDataWith: Int?
        /// The record's sizes and offset all ones, the true ones in a ZIP64 extra field.
        var zip64 = false

        static func file(_ name: String, _ content: [UInt8] = [], deflate: Bool = false) -> Entry {
            Entry(name: Array(name.utf8), content: content, method: deflate ? 8 : 0)
        }

        static func file(_ name: String, text: String, deflate: Bool = false) -> Entry {
            file(name, Array(text.utf8), deflate: deflate)
        }

        static func folder(_ name: String) -> Entry {
            Entry(name: Array(name.utf8), attributes: 0o040755 << 16 | 0x10)
        }

        /// A name given as raw bytes, with or without the UTF-8 flag.
        static func raw(_ name: [UInt8], utf8Flag: Bool, _ content: [UInt8] = []) -> Entry {
            Entry(name: name, content: content, flags: utf8Flag ? 0x0800 : 0)
        }

        func with(_ change: (inout Entry) -> Void) -> Entry {
            var copy = self
            change(&copy)
            return copy
        }
    }

    /// The archive: local headers and data, the central directory, the end record.
    /// - Parameter claimedCount: the entry count the end record declares instead of the true one.
    static func archive(_ entries: [Entry], claimedCount: UInt16? = nil) -> Data {
        var out = Bytes()
        var directory = Bytes()
        var offsets: [Int] = []
        for entry in entries {
            let data = entry.rawData ?? (entry.method == 8 ? Deflate.fixed(entry.content) : entry.content)
            let crc = entry.declaredCRC ?? ZipCRC.of(entry.content)
            let size = entry.declaredSize ?? UInt32(entry.content.count)
            let localName = entry.localName ?? entry.name
            let offset = out.count
            offsets.append(offset)
            out.u32(0x0403_4b50); out.u16(20); out.u16(entry.flags); out.u16(entry.method); out.u16(0); out.u16(0x21)
            out.u32(crc); out.u32(UInt32(data.count)); out.u32(size); out.u16(UInt16(localName.count)); out.u16(0)
            out.bytes += localName + data
            let recordOffset = UInt32(entry.sharesDataWith.map { offsets[$0] } ?? offset)
            let wide: UInt32 = 0xFFFF_FFFF
            var extra = Bytes()
            if entry.zip64 {
                extra.u16(1); extra.u16(24); extra.u64(UInt64(size)); extra.u64(UInt64(data.count)); extra.u64(UInt64(recordOffset))
            }
            directory.u32(0x0201_4b50); directory.u16(entry.madeBy); directory.u16(entry.zip64 ? 45 : 20); directory.u16(entry.flags)
            directory.u16(entry.method); directory.u16(0); directory.u16(0x21); directory.u32(crc)
            directory.u32(entry.zip64 ? wide : UInt32(data.count)); directory.u32(entry.zip64 ? wide : size)
            directory.u16(UInt16(entry.name.count)); directory.u16(UInt16(extra.count)); directory.u16(0); directory.u16(0)
            directory.u16(0); directory.u32(entry.attributes); directory.u32(entry.zip64 ? wide : recordOffset)
            directory.bytes += entry.name + extra.bytes
        }
        let directoryOffset = out.count
        out.bytes += directory.bytes
        let count = claimedCount ?? UInt16(entries.count)
        out.u32(0x0605_4b50); out.u16(0); out.u16(0); out.u16(count); out.u16(count)
        out.u32(UInt32(directory.count)); out.u32(UInt32(directoryOffset)); out.u16(0)
        return Data(out.bytes)
    }

    /// Little-endian writing.
    struct Bytes {
        var bytes: [UInt8] = []
        var count: Int { bytes.count }
        mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        mutating func u32(_ value: UInt32) { u16(UInt16(value & 0xFFFF)); u16(UInt16(value >> 16)) }
        mutating func u64(_ value: UInt64) { u32(UInt32(value & 0xFFFF_FFFF)); u32(UInt32(value >> 32)) }
    }
}

/// A deflate encoder that knows one block type (fixed Huffman codes) and one trick (repeating
/// the previous byte): enough for real compressed data and for zip bombs.
enum Deflate {
    static func fixed(_ input: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // last block
        bits.write(1, count: 2)  // fixed Huffman codes
        var index = 0
        while index < input.count {
            var run = 0
            if index > 0 {
                while run < 258, index + run < input.count, input[index + run] == input[index - 1] { run += 1 }
            }
            if run >= 3 {
                let length = run == 258 ? 258 : min(run, 10)
                // Lengths 3...10 are symbols 257...264, 258 is symbol 285; distance 1 is the 5-bit code 0.
                bits.symbol(length == 258 ? 285 : 254 + length)
                bits.code(0, count: 5)
                index += length
            } else {
                bits.symbol(Int(input[index]))
                index += 1
            }
        }
        bits.symbol(256)  // end of block
        return bits.bytes
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var used = 0

        /// Plain values go least significant bit first.
        mutating func write(_ value: Int, count: Int) {
            for bit in 0..<count {
                if used % 8 == 0 { bytes.append(0) }
                bytes[bytes.count - 1] |= UInt8((value >> bit) & 1) << (used % 8)
                used += 1
            }
        }

        /// Huffman codes go most significant bit first.
        mutating func code(_ value: Int, count: Int) {
            for bit in (0..<count).reversed() { write((value >> bit) & 1, count: 1) }
        }

        /// A literal/length symbol in the fixed code (RFC 1951, 3.2.6).
        mutating func symbol(_ value: Int) {
            switch value {
            case 0...143: code(0x30 + value, count: 8)
            case 144...255: code(0x190 + value - 144, count: 9)
            case 256...279: code(value - 256, count: 7)
            default: code(0xC0 + value - 280, count: 8)
            }
        }
    }
}

/// CRC-32 as zip uses it (IEEE 802.3, reflected).
enum ZipCRC {
    static let table: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }

    static func of(_ bytes: [UInt8]) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { crc, byte in table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }
}
