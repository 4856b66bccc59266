/// The format of a chat message: a Markdown subset (bold, italic, strikethrough, lists, quotes,
/// code, links, rules; headings shown as bold paragraphs), rendered to a safe HTML fragment and
/// to plain text, with video links (Loom, Vimeo, YouTube, Google Drive) recognised as embeds.
///
/// The text is stored as sent; this renders it on the way out. Safety does not rest on Ink (which
/// passes raw HTML and unchecked URLs through): the user's `<`, `>`, `&` and `"` are escaped before
/// Ink sees them, and Ink's output is then rebuilt from an allowlist (`HTMLSanitizer`), so the
/// HTML holds only the tags `SafeElement` names, text escaped by us, and links `SafeLink` accepted.
public enum MessageFormat {
    /// Renders `text` (ideally what `MessageText.validate` returned; anything else is still safe).
    public static func render(_ text: String) -> RenderedMessage {
        let input = MarkdownInput.prepare(text)
        let inkHTML = InkRenderer.html(from: input.markdown)
        let nodes = HTMLSanitizer.sanitize(inkHTML, urls: input.urls)
        return RenderedMessage(nodes: nodes)
    }
}
