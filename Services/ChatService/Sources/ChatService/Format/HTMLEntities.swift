/// Escaping text for HTML, and decoding the character references found in HTML.
///
/// Both work on Unicode scalars, not `Character`s: a `<` followed by a combining mark is one
/// `Character` that is not equal to `"<"`, yet a browser still reads the `<`.
enum HTMLEntities {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by references: safe as element text and
    /// inside a double- or single-quoted attribute value.
    static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let reference = reference(for: scalar) {
                escaped.append(contentsOf: reference.unicodeScalars)
            } else {
                escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    private static func reference(for scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "&": "&amp;"
        case "<": "&lt;"
        case ">": "&gt;"
        case "\"": "&quot;"
        case "'": "&#39;"
        default: nil
        }
    }

    /// `html` with numeric references and the named ones Ink and `escape` produce (plus `apos`
    /// and `nbsp`) replaced by their characters; any other `&` stays as it is. A reference to a
    /// control character or to no character becomes U+FFFD, so decoding can never produce a
    /// control character that was not in the input.
    static func decode(_ html: String) -> String {
        let scalars = Array(html.unicodeScalars)
        var decoded = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "&", let (scalar, length) = reference(in: scalars, at: index) {
                decoded.append(scalar)
                index += length
            } else {
                decoded.append(scalars[index])
                index += 1
            }
        }
        return String(decoded)
    }

    /// The character a reference starting at `start` (an `&`) stands for, and the reference's length.
    private static func reference(in scalars: [Unicode.Scalar], at start: Int) -> (Unicode.Scalar, Int)? {
        guard start + 1 < scalars.count else { return nil }
        return scalars[start + 1] == "#" ? numeric(in: scalars, at: start) : named(in: scalars, at: start)
    }

    private static let names: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
    ]

    private static func named(in scalars: [Unicode.Scalar], at start: Int) -> (Unicode.Scalar, Int)? {
        var end = start + 1
        while end < scalars.count, end - start <= 8, scalars[end].properties.isASCIIHexDigit || isASCIILetter(scalars[end]) {
            end += 1
        }
        guard end < scalars.count, scalars[end] == ";" else { return nil }
        let name = String(String.UnicodeScalarView(scalars[(start + 1)..<end]))
        return names[name].map { ($0, end - start + 1) }
    }

    // `&#106;` and `&#x6A;`, the semicolon optional as in browsers.
    private static func numeric(in scalars: [Unicode.Scalar], at start: Int) -> (Unicode.Scalar, Int)? {
        var index = start + 2
        let isHex = index < scalars.count && (scalars[index] == "x" || scalars[index] == "X")
        if isHex { index += 1 }
        let digitsStart = index
        var value: UInt32 = 0
        while index < scalars.count, let digit = digitValue(scalars[index], hex: isHex) {
            value = min(value &* (isHex ? 16 : 10) &+ digit, 0x110000)
            index += 1
        }
        guard index > digitsStart else { return nil }
        if index < scalars.count, scalars[index] == ";" { index += 1 }
        return (scalar(for: value), index - start)
    }

    private static func digitValue(_ scalar: Unicode.Scalar, hex: Bool) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 0x30
        case "a"..."f" where hex: scalar.value - 0x61 + 10
        case "A"..."F" where hex: scalar.value - 0x41 + 10
        default: nil
        }
    }

    private static func scalar(for value: UInt32) -> Unicode.Scalar {
        let isControl = value < 0x20 && value != 0x09 && value != 0x0A
        guard !isControl, !(0x7F...0x9F).contains(value), let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}
