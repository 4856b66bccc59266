/// Finding, checking and filling in the shortcodes of a template's subject and body (the syntax is
/// `ShortcodeToken`'s), for ChatService's chat templates and NotifyService's e-mail templates.
public enum Shortcodes {
    /// The tokens of `text` that are no shortcode, as written (`[CLIENT_NAME]`): each once, in
    /// the order they first appear. A template holding any is refused when it is saved.
    public static func unknown(in text: String) -> [String] {
        var seen: Set<String> = []
        return ShortcodeToken.all(in: text).filter { !$0.isEscaped && $0.shortcode == nil }.map(\.written)
            .filter { seen.insert($0).inserted }
    }

    public static func used(in text: String) -> Set<Shortcode> {
        Set(ShortcodeToken.all(in: text).filter { !$0.isEscaped }.compactMap(\.shortcode))
    }

    /// The shortcodes `text` uses that `context` has no value for (no contact, no job), in
    /// `Shortcode.allCases` order: the caller decides whether sending anyway is an error.
    public static func missing(for text: String, context: ShortcodeContext) -> [Shortcode] {
        let used = used(in: text)
        return Shortcode.allCases.filter { used.contains($0) && $0.value(in: context) == nil }
    }

    /// `text` with each shortcode replaced by its value in `context` (empty when missing), passed
    /// through `value` (escaping for the format the text is in).
    ///
    /// - Parameter keepEscaped: true when the result goes to a renderer that reads `\[NAME]` as a
    ///   literal bracket itself (Markdown): it stays as written. False for plain text: `\[NAME]`
    ///   loses its backslash. Unknown tokens stay as written (a saved template has none).
    public static func render(_ text: String, _ context: ShortcodeContext, keepEscaped: Bool, value: (String) -> String) -> String {
        let scalars = text.unicodeScalars
        var output = String.UnicodeScalarView()
        var copied = scalars.startIndex
        for token in ShortcodeToken.all(in: text) {
            if token.isEscaped {
                guard !keepEscaped else { continue }
                // Everything up to the escaping backslash, then the brackets as text.
                output.append(contentsOf: scalars[copied..<scalars.index(before: token.range.lowerBound)])
                output.append(contentsOf: token.written.unicodeScalars)
            } else if let shortcode = token.shortcode {
                output.append(contentsOf: scalars[copied..<token.range.lowerBound])
                output.append(contentsOf: value(shortcode.value(in: context) ?? "").unicodeScalars)
            } else {
                continue
            }
            copied = token.range.upperBound
        }
        output.append(contentsOf: scalars[copied...])
        return String(output)
    }
}
