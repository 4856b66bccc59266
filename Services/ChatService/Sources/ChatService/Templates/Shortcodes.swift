/// Finding, checking and filling in the shortcodes of a chat template's subject and body (the
/// syntax is `ShortcodeToken`'s).
enum Shortcodes {
    /// The tokens of `text` that are no shortcode, as written (`[CLIENT_NAME]`): each once, in
    /// the order they first appear. A template holding any is refused when it is saved.
    static func unknown(in text: String) -> [String] {
        var seen: Set<String> = []
        return ShortcodeToken.all(in: text).filter { !$0.isEscaped && $0.shortcode == nil }.map(\.written)
            .filter { seen.insert($0).inserted }
    }

    static func used(in text: String) -> Set<Shortcode> {
        Set(ShortcodeToken.all(in: text).filter { !$0.isEscaped }.compactMap(\.shortcode))
    }

    /// The shortcodes `text` uses that `context` has no value for (no contact, no job), in
    /// `Shortcode.allCases` order: the caller decides whether sending anyway is an error.
    static func missing(for text: String, context: ShortcodeContext) -> [Shortcode] {
        let used = used(in: text)
        return Shortcode.allCases.filter { used.contains($0) && $0.value(in: context) == nil }
    }

    /// `text` with each shortcode replaced by its value in `context` (empty when missing).
    ///
    /// - Parameter markdown: true for a body: values are escaped so that they show as written and
    ///   an escaped `\[NAME]` stays for the Markdown renderer. False for a subject (plain text):
    ///   values go in as they are, on one line, and `\[NAME]` loses its backslash.
    ///   Unknown tokens stay as written (a saved template has none).
    static func render(_ text: String, _ context: ShortcodeContext, markdown: Bool) -> String {
        let scalars = text.unicodeScalars
        var output = String.UnicodeScalarView()
        var copied = scalars.startIndex
        for token in ShortcodeToken.all(in: text) {
            if token.isEscaped {
                guard !markdown else { continue }
                // Everything up to the escaping backslash, then the brackets as text.
                output.append(contentsOf: scalars[copied..<scalars.index(before: token.range.lowerBound)])
                output.append(contentsOf: token.written.unicodeScalars)
            } else if let shortcode = token.shortcode {
                output.append(contentsOf: scalars[copied..<token.range.lowerBound])
                let value = shortcode.value(in: context) ?? ""
                output.append(contentsOf: (markdown ? MarkdownEscaping.literal(value) : MarkdownEscaping.oneLine(value)).unicodeScalars)
            } else {
                continue
            }
            copied = token.range.upperBound
        }
        output.append(contentsOf: scalars[copied...])
        return String(output)
    }
}
