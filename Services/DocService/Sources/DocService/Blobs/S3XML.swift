import Foundation

/// Just enough XML for S3's small answers: the text of named elements, unescaped.
///
/// S3 answers with flat, namespace-default documents (`<UploadId>`, `<ETag>`, `<Code>`,
/// `<Message>`, `<Upload>` entries), so a tolerant search for `<Name>` … `</Name>` reads them
/// without an XML parser; anything it cannot find is simply absent.
enum S3XML {
    /// The text of the first `<name>` element.
    static func value(_ name: String, in text: Substring) -> String? {
        blocks(name, in: text).first.map { unescape($0) }
    }

    /// The raw contents of every `<name>` element, in order.
    static func blocks(_ name: String, in text: Substring) -> [Substring] {
        var found: [Substring] = []
        var rest = text[...]
        let close = "</\(name)>"
        while let open = rest.range(of: "<\(name)") {
            // `<Name>` or `<Name attr="…">`, not `<NameLonger>`.
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let between = rest[open.upperBound..<tagEnd]
            guard between.isEmpty || between.first == " " || between == "/" else {
                rest = rest[tagEnd...]
                continue
            }
            if rest[..<tagEnd].hasSuffix("/") {  // `<Name/>`: empty
                found.append("")
                rest = rest[rest.index(after: tagEnd)...]
                continue
            }
            let contentStart = rest.index(after: tagEnd)
            guard let end = rest[contentStart...].range(of: close) else { break }
            found.append(rest[contentStart..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// Text with the five predefined entities and numeric references resolved.
    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var result = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semicolon) <= 10 else {
                result += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
                if let number, let scalar = Unicode.Scalar(number) {
                    result.unicodeScalars.append(scalar)
                } else {
                    result += "&\(entity);"
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }

    /// `text` safe as element content.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex, two digits a byte.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
