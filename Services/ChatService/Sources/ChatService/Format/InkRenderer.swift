internal import Ink

/// Ink, set up for chat messages. Its output is not trusted (see `HTMLSanitizer`); these
/// modifiers only shape it: a heading becomes a bold paragraph (a chat message is no document
/// with an outline, and an `h1` in a message list is a shout), a table is shown as typed (tables
/// are not part of the format), raw HTML is shown as text, and code is not escaped twice.
enum InkRenderer {
    /// Ink's HTML for `markdown` (which `MarkdownInput` has prepared).
    static func html(from markdown: String) -> String {
        MarkdownParser(modifiers: modifiers).html(from: markdown)
    }

    /// Ink's HTML for `markdown` with none of these modifiers: what the tests give the sanitiser
    /// to show it needs nothing from the steps before it.
    static func unconfiguredHTML(from markdown: String) -> String {
        MarkdownParser().html(from: markdown)
    }

    private static var modifiers: [Modifier] {
        [
            Modifier(target: .headings) { html, _ in boldParagraph(fromHeading: html) },
            Modifier(target: .tables) { _, markdown in paragraph(asTyped: markdown) },
            Modifier(target: .html) { _, markdown in HTMLEntities.escape(String(markdown)) },
            Modifier(target: .inlineCode) { html, _ in escapedOnce(html) },
            Modifier(target: .codeBlocks) { html, _ in escapedOnce(html) },
        ]
    }

    // Ink writes `<hN>…</hN>`.
    private static func boldParagraph(fromHeading html: String) -> String {
        guard html.hasPrefix("<h"), html.count >= 9 else { return html }
        return "<p><strong>\(html.dropFirst(4).dropLast(5))</strong></p>"
    }

    // The Markdown is already escaped by `MarkdownInput`; only its lines need keeping.
    private static func paragraph(asTyped markdown: Substring) -> String {
        let lines = markdown.split(separator: "\n").map { line in
            line.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        }
        return "<p>" + lines.map { String($0) }.joined(separator: "<br>") + "</p>"
    }

    // Ink escapes code itself, and `MarkdownInput` already did: undo Ink's `&amp;`. This can
    // turn `&amp;lt;` into `&lt;` but never produce a `<`.
    private static func escapedOnce(_ html: String) -> String {
        html.replacing("&amp;", with: "&")
    }
}
