/// Quoted-printable (RFC 2045 §6.7) for a UTF-8 text part: readable where the text is ASCII,
/// every line at most 76 characters, and nothing in the output that could end the part early.
enum QuotedPrintable {
    /// Longest encoded line, its soft-break `=` included.
    static let lineLimit = 76

    /// `text` encoded, its line breaks (CRLF, CR or LF) as CRLF; no CRLF at the end unless
    /// `text` ends with a line break.
    ///
    /// `=` is always `=3D`, so a boundary starting `=_` never occurs in the output; a `From ` at
    /// a line's start is encoded too, so no mbox on the way adds a `>` to it.
    static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        var line: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        func endLine() {
            // White space at a line's end may be stripped in transit: it is encoded.
            if let last = line.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
                line.removeLast()
                appendToken(escape(last))
            }
            out += line
            line = []
        }
        func appendToken(_ token: [UInt8]) {
            if line.count + token.count > lineLimit - 1 {
                out += line + Array("=\r\n".utf8)
                line = []
            }
            line += token
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                if byte == UInt8(ascii: "\r"), index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                endLine()
                out += Array("\r\n".utf8)
                continue
            }
            let literal = (0x21...0x7e).contains(byte) && byte != UInt8(ascii: "=") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
            let fromAtStart = line.isEmpty && byte == UInt8(ascii: "F") && bytes[index...].starts(with: "rom ".utf8)
            appendToken(literal && !fromAtStart ? [byte] : escape(byte))
        }
        endLine()
        return String(decoding: out, as: UTF8.self)
    }

    private static func escape(_ byte: UInt8) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        return [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
    }
}
