import AtriumShortcodes

extension Shortcodes {
    /// `text` with each shortcode replaced by its value in `context` (empty when missing).
    ///
    /// - Parameter markdown: true for a body: values are escaped so that they show as written and
    ///   an escaped `\[NAME]` stays for the Markdown renderer. False for a subject (plain text):
    ///   values go in as they are, on one line, and `\[NAME]` loses its backslash.
    static func render(_ text: String, _ context: ShortcodeContext, markdown: Bool) -> String {
        render(text, context, keepEscaped: markdown) { markdown ? MarkdownEscaping.literal($0) : MarkdownEscaping.oneLine($0) }
    }
}
