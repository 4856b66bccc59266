import Foundation

/// Just enough of a MIME reader for the tests to check what `MIMEMessage` writes: header fields
/// unfolded, encoded-words and quoted-printable decoded. Written apart from the encoder, to the
/// RFCs, so that a mistake on one side is not mirrored on the other.
struct MIMEReading {
    /// Header fields in order, each unfolded (CRLF before white space removed), value trimmed.
    let headers: [(name: String, value: String)]
    let body: String

    init(_ message: String) {
        let (head, body) = Self.split(message)
        self.body = body
        var fields: [String] = []
        for line in head.components(separatedBy: "\r\n") {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1] += line
            } else {
                fields.append(line)
            }
        }
        headers = fields.compactMap { field in
            guard let colon = field.firstIndex(of: ":") else { return nil }
            return (String(field[..<colon]), field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// The value of the first `name` field as written.
    func raw(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The value of the first `name` field with its encoded-words decoded.
    func decoded(_ name: String) -> String? {
        raw(name).map(Self.decodeWords)
    }

    /// The parts of a multipart body: each one's headers and decoded content.
    func parts(boundary: String) -> [(headers: MIMEReading, content: String)] {
        let delimiter = "\r\n--" + boundary
        let sections = ("\r\n" + body).components(separatedBy: delimiter).dropFirst()
        return sections.compactMap { section in
            guard !section.hasPrefix("--") else { return nil }
            // "\r\n" is one Character: drop it as such.
            let part = MIMEReading(String(section.hasPrefix("\r\n") ? section.dropFirst() : section[...]))
            let content = part.raw("Content-Transfer-Encoding")?.lowercased() == "quoted-printable"
                ? Self.decodeQuotedPrintable(part.body) : part.body
            return (part, content)
        }
    }

    static func split(_ message: String) -> (head: String, body: String) {
        guard let end = message.range(of: "\r\n\r\n") else { return (message, "") }
        return (String(message[..<end.lowerBound]), String(message[end.upperBound...]))
    }

    /// RFC 2047: encoded-words (B and Q) decoded; white space between two adjacent ones dropped.
    static func decodeWords(_ value: String) -> String {
        let pattern = #/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/#
        var out = ""
        var rest = Substring(value)
        var lastWasWord = false
        while let match = rest.firstMatch(of: pattern) {
            let between = rest[..<match.range.lowerBound]
            if !(lastWasWord && between.allSatisfy(\.isWhitespace)) { out += between }
            let text = String(match.output.3)
            let bytes: [UInt8]
            if match.output.2.uppercased() == "B" {
                bytes = Array(Data(base64Encoded: text) ?? Data("<bad base64>".utf8))
            } else {
                bytes = Array(decodeQuotedPrintable(text.replacingOccurrences(of: "_", with: " ")).utf8)
            }
            out += String(decoding: bytes, as: UTF8.self)
            rest = rest[match.range.upperBound...]
            lastWasWord = true
        }
        return out + rest
    }

    /// Quoted-printable decoded: soft breaks removed, `=XX` bytes restored, read as UTF-8.
    static func decodeQuotedPrintable(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count {
                if bytes[index + 1] == 13, bytes[index + 2] == 10 {
                    index += 3
                    continue
                }
                if let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                    out.append(value)
                    index += 3
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
