import Foundation
import ZIPFoundation

/// An entry's name, decoded and checked: the folder and file names it makes below the target.
enum ZipPath {
    /// The name as text: UTF-8 when general purpose bit 11 says so (then it must be valid), else
    /// the Info-ZIP Unicode path field, else UTF-8 when the bytes are valid UTF-8 (macOS and most
    /// Unix tools write UTF-8 without the flag), else code page 437, the format's default.
    /// Nil when the name is flagged UTF-8 but is not.
    static func decode(_ record: ZipRecord) -> String? {
        // ZIPFoundation's `Entry.path` would turn invalid UTF-8 into "" and read unflagged UTF-8 as
        // CP437 on Linux, so the name is decoded here from the raw bytes.
        if record.isUTF8 { return String(validating: record.rawName, as: UTF8.self) }
        if let unicode = unicodePathField(record) { return unicode }
        return String(validating: record.rawName, as: UTF8.self) ?? CodePage437.decode(record.rawName)
    }

    /// The name for messages: decoded as best we can, controls replaced by U+FFFD.
    static func display(_ record: ZipRecord) -> String {
        let name = decode(record) ?? String(decoding: record.rawName, as: UTF8.self)
        return String(String.UnicodeScalarView(name.unicodeScalars.map { isControl($0) ? "\u{FFFD}" : $0 }))
    }

    /// Info-ZIP's field 0x7075: version 1, the CRC-32 of the stored name, the UTF-8 name. A CRC
    /// that does not match means another tool renamed the entry since, and the field is stale.
    private static func unicodePathField(_ record: ZipRecord) -> String? {
        guard let field = ZipExtra.field(0x7075, in: record.extra), field.count > 5, field[field.startIndex] == 1,
            field.le32(at: 1) == Data(record.rawName).crc32(checksum: 0)
        else { return nil }
        return String(validating: field.dropFirst(5), as: UTF8.self)
    }

    /// Splits `name` into its segments, refusing anything that could land outside the target or
    /// disguise itself; each segment is trimmed and NFC-normalised (macOS writes NFD).
    /// A trailing slash (a folder entry) is dropped.
    static func segments(of name: String, limits: ZipLimits) throws(ZipRefusal) -> [String] {
        guard !name.unicodeScalars.contains(where: isControl) else { throw .controlCharacter }
        guard !name.hasPrefix("/") else { throw .absolutePath }
        let scalars = Array(name.unicodeScalars.prefix(2))
        if scalars.count == 2, scalars[1] == ":", scalars[0].isASCII, scalars[0].properties.isAlphabetic { throw .driveLetter }
        guard !name.contains("\\") else { throw .backslash }
        let body = name.hasSuffix("/") ? String(name.dropLast()) : name
        var segments: [String] = []
        for raw in body.split(separator: "/", omittingEmptySubsequences: false) {
            let segment = raw.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
            switch segment {
            case "": throw .emptySegment
            case "..": throw .parentSegment
            case ".": throw .dotSegment
            default: break
            }
            guard segment.unicodeScalars.count <= limits.maxNameLength else { throw .nameTooLong(limit: limits.maxNameLength) }
            segments.append(segment)
        }
        return segments
    }

    /// Entries people expect to be left out: macOS's `__MACOSX/` resource forks and `.DS_Store`
    /// folder settings, Windows's `Thumbs.db` thumbnail caches.
    static func isJunk(_ segments: [String]) -> Bool {
        segments.contains { $0.lowercased() == "__macosx" } || [".ds_store", "thumbs.db"].contains(segments.last?.lowercased() ?? "")
    }

    /// C0 and C1 controls (NUL among them), and the invisible direction marks and overrides that
    /// make `gpj.exe` read as `exe.jpg`.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

/// The IBM PC character set, the zip format's default for names without the UTF-8 flag.
enum CodePage437 {
    static func decode(_ bytes: Data) -> String {
        String(String.UnicodeScalarView(bytes.map { byte in
            byte < 0x80 ? Unicode.Scalar(byte) : Unicode.Scalar(upper[Int(byte) - 0x80]) ?? "\u{FFFD}"
        }))
    }

    /// 0x80 to 0xFF.
    private static let upper: [UInt32] = [
        0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
        0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
        0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
        0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
        0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
        0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
    ]
}
