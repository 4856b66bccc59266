/// The rules a message's text must meet before it is stored.
public enum MessageText {
    /// The most Unicode scalars a message may hold.
    public static let maximumScalars = 20_000

    /// Answers `raw` with the whitespace at its two ends removed (never inside: trailing spaces on
    /// a line are Markdown), or throws `ChatError.invalid` naming `text` when what is left is
    /// empty, longer than `maximumScalars` Unicode scalars, or holds a C0 control character other
    /// than tab, line feed and carriage return.
    public static func validate(_ raw: String) throws -> String {
        let text = trimmed(raw)
        guard !text.isEmpty else {
            throw ChatError.invalid("text must not be empty")
        }
        guard text.unicodeScalars.count <= maximumScalars else {
            throw ChatError.invalid("text must be at most \(maximumScalars) Unicode scalars long")
        }
        if let control = text.unicodeScalars.first(where: isRefusedControl) {
            throw ChatError.invalid("text must not contain control characters (found \(codePoint(control)))")
        }
        return text
    }

    private static func trimmed(_ raw: String) -> String {
        let start = raw.firstIndex { !$0.isWhitespace } ?? raw.endIndex
        let end = raw.lastIndex { !$0.isWhitespace }.map(raw.index(after:)) ?? start
        return start < end ? String(raw[start..<end]) : ""
    }

    // NUL and the other C0 controls can hide text from one reader and not another (and NUL ends
    // strings in C); tab, line feed and carriage return are ordinary text.
    private static func isRefusedControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r"
    }

    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
