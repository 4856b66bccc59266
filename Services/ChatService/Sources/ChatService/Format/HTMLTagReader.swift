/// Reads the name and attributes from the inside of a tag (what is between `<` and `>`, without
/// the `/` of an end tag), as `HTMLTokenizer` found it.
struct HTMLTagReader {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ inside: [Unicode.Scalar]) {
        scalars = inside
    }

    /// The tag name, in ASCII lower case.
    mutating func readName() -> String {
        Self.lowercased(read { !Self.isSpace($0) && $0 != "/" })
    }

    /// The attributes after the name, names in ASCII lower case, values as written.
    mutating func readAttributes() -> [HTMLAttribute] {
        var attributes: [HTMLAttribute] = []
        while true {
            skip { Self.isSpace($0) || $0 == "/" }
            guard index < scalars.count else { return attributes }
            // An empty name means the attribute starts with `=`; it is refused later like any other.
            let name = Self.lowercased(read { !Self.isSpace($0) && $0 != "/" && $0 != "=" })
            skip(Self.isSpace)
            attributes.append(HTMLAttribute(name: name, rawValue: readValue()))
        }
    }

    // `= "value"`, `= 'value'`, `= value`, or nothing (an empty value).
    private mutating func readValue() -> String {
        guard index < scalars.count, scalars[index] == "=" else { return "" }
        index += 1
        skip(Self.isSpace)
        guard index < scalars.count else { return "" }
        let quote = scalars[index]
        guard quote == "\"" || quote == "'" else { return read { !Self.isSpace($0) } }
        index += 1
        let value = read { $0 != quote }
        index += 1
        return value
    }

    private mutating func read(while predicate: (Unicode.Scalar) -> Bool) -> String {
        let start = index
        skip(predicate)
        return String(String.UnicodeScalarView(scalars[start..<index]))
    }

    private mutating func skip(_ predicate: (Unicode.Scalar) -> Bool) {
        while index < scalars.count, predicate(scalars[index]) { index += 1 }
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }

    private static func lowercased(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
        }))
    }
}
