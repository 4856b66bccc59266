/// A small tag scanner for rendered message HTML, written apart from the renderer so that the
/// tests do not trust its code: it lists every way an HTML string leaves the message format's
/// allowlist. A `<` must open an allowed tag, `>` may not appear in text, the only attributes
/// are `href`, `rel` and `target` and only on `a`, no attribute name starts with `on`, and an
/// `href` (once its character references are decoded) must start with http:, https: or mailto:.
struct HTMLAllowlistChecker {
    static let allowedTags: Set<String> = ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "a"]

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private(set) var violations: [String] = []

    /// Everything wrong with `html`; empty when it keeps to the allowlist.
    static func violations(in html: String) -> [String] {
        var checker = HTMLAllowlistChecker(scalars: Array(html.unicodeScalars))
        checker.scan()
        return checker.violations
    }

    private init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private mutating func scan() {
        while index < scalars.count {
            switch scalars[index] {
            case "<": tag()
            case ">": violations.append("a raw > in text"); index += 1
            default: index += 1
            }
        }
    }

    private mutating func tag() {
        index += 1
        let isEnd = peek() == "/"
        if isEnd { index += 1 }
        let name = word()
        guard !name.isEmpty else {
            violations.append("a < that opens no tag")
            return
        }
        if !Self.allowedTags.contains(name) { violations.append("tag <\(name)>") }
        let attributes = self.attributes()
        if isEnd {
            if !attributes.isEmpty { violations.append("attributes on </\(name)>") }
        } else {
            check(attributes, on: name)
        }
    }

    private mutating func attributes() -> [(name: String, value: String)] {
        var found: [(name: String, value: String)] = []
        while index < scalars.count {
            skipSpaces()
            guard let next = peek() else { break }
            if next == ">" { index += 1; return found }
            if next == "/" { index += 1; continue }
            let name = word()
            if name.isEmpty { violations.append("junk in a tag: \(next)"); index += 1; continue }
            skipSpaces()
            found.append((name, peek() == "=" ? value() : ""))
        }
        violations.append("a tag that never closes")
        return found
    }

    private mutating func value() -> String {
        index += 1
        skipSpaces()
        guard let quote = peek(), quote == "\"" || quote == "'" else {
            violations.append("an unquoted attribute value")
            return take { !$0.properties.isWhitespace && $0 != ">" }
        }
        index += 1
        let value = take { $0 != quote }
        index += 1
        return value
    }

    private mutating func check(_ attributes: [(name: String, value: String)], on tag: String) {
        for (name, value) in attributes {
            if name.hasPrefix("on") { violations.append("event handler \(name)") }
            guard tag == "a", ["href", "rel", "target"].contains(name) else {
                violations.append("attribute \(name) on <\(tag)>")
                continue
            }
            if name == "href", !Self.isAllowedHref(value) { violations.append("href \(value)") }
        }
        if tag == "a", !attributes.contains(where: { $0.name == "rel" && $0.value == "nofollow noopener noreferrer" }) {
            violations.append("a link without rel=nofollow noopener noreferrer")
        }
    }

    static func isAllowedHref(_ raw: String) -> Bool {
        let href = decoded(raw).lowercased()
        return ["http://", "https://", "mailto:"].contains { href.hasPrefix($0) }
            && !href.unicodeScalars.contains { $0.value < 0x21 }
    }

    // Enough of HTML's character references to see through the corpus's encodings.
    static func decoded(_ raw: String) -> String {
        var result = ""
        var rest = Substring(raw)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            rest = rest[rest.index(after: amp)...]
            let body = rest.prefix { $0 != ";" && $0 != "&" && !$0.isWhitespace }
            if let scalar = reference(String(body)) {
                result.unicodeScalars.append(scalar)
                rest = rest.dropFirst(body.count)
                if rest.first == ";" { rest = rest.dropFirst() }
            } else {
                result += "&"
            }
        }
        return result + rest
    }

    private static func reference(_ body: String) -> Unicode.Scalar? {
        switch body.lowercased() {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "colon": return ":"
        case "tab": return "\t"
        default:
            guard body.hasPrefix("#") else { return nil }
            let digits = body.dropFirst()
            let hex = digits.first == "x" || digits.first == "X"
            return UInt32(hex ? String(digits.dropFirst()) : String(digits), radix: hex ? 16 : 10).flatMap(Unicode.Scalar.init)
        }
    }

    private func peek() -> Unicode.Scalar? {
        index < scalars.count ? scalars[index] : nil
    }

    private mutating func skipSpaces() {
        while let next = peek(), next.properties.isWhitespace { index += 1 }
    }

    private mutating func word() -> String {
        take { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == ":") }.lowercased()
    }

    private mutating func take(while predicate: (Unicode.Scalar) -> Bool) -> String {
        var taken = String.UnicodeScalarView()
        while let next = peek(), predicate(next) {
            taken.append(next)
            index += 1
        }
        return String(taken)
    }
}
