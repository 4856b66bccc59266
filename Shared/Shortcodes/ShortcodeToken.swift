/// A bracketed all-caps token in a template's text, `[NAME]`: a shortcode if `name` is one, a
/// typo to refuse otherwise.
///
/// The name is an upper-case ASCII letter and one or more upper-case letters, digits or
/// underscores. Not tokens, because Markdown gives them another meaning or they are plainly
/// prose: a link's or image's text (`[TEXT](url)`), mixed or lower case (`[Account_Name]`), one
/// letter (`[X]`, a checked task-list box), digits first (`[2024]`, `[1]`).
public struct ShortcodeToken: Sendable {
    /// From `[` to `]`, in the text's unicode scalars.
    public let range: Range<String.Index>
    public let name: String
    /// Preceded by an odd number of backslashes: `\[NAME]` is a literal bracket, as in Markdown.
    public let isEscaped: Bool

    /// `[NAME]`, as written.
    public var written: String { "[\(name)]" }

    public var shortcode: Shortcode? { Shortcode(rawValue: name) }

    /// Every token of `text`, in order.
    public static func all(in text: String) -> [ShortcodeToken] {
        let scalars = text.unicodeScalars
        var tokens: [ShortcodeToken] = []
        var backslashes = 0
        var index = scalars.startIndex
        while index < scalars.endIndex {
            if scalars[index] == "[", let token = token(at: index, in: scalars, escaped: backslashes % 2 == 1) {
                tokens.append(token)
                backslashes = 0
                index = token.range.upperBound
                continue
            }
            backslashes = scalars[index] == "\\" ? backslashes + 1 : 0
            index = scalars.index(after: index)
        }
        return tokens
    }

    /// The token opening at `open` (a `[`), if one does.
    private static func token(at open: String.Index, in scalars: String.UnicodeScalarView, escaped: Bool) -> ShortcodeToken? {
        let start = scalars.index(after: open)
        var end = start
        while end < scalars.endIndex, isNameScalar(scalars[end]) { end = scalars.index(after: end) }
        guard end < scalars.endIndex, scalars[end] == "]" else { return nil }
        let name = scalars[start..<end]
        guard name.count >= 2, let first = name.first, ("A"..."Z").contains(first) else { return nil }
        let after = scalars.index(after: end)
        // `[TEXT](url)` is a Markdown link (or image, after `!`): its text is text.
        if after < scalars.endIndex, scalars[after] == "(" { return nil }
        return ShortcodeToken(range: open..<after, name: String(String.UnicodeScalarView(name)), isEscaped: escaped)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }
}
