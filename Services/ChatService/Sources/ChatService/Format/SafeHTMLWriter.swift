/// Writes `SafeNode`s as HTML. Every tag it can write is a `SafeElement`'s, every text and
/// attribute value goes through `HTMLEntities.escape`, and every link gets
/// `rel="nofollow noopener noreferrer" target="_blank"`: a message never sends referrers, never
/// hands a page `window.opener`, and passes no ranking to where it points.
enum SafeHTMLWriter {
    static let linkAttributes = #"rel="nofollow noopener noreferrer" target="_blank""#

    static func html(_ nodes: [SafeNode]) -> String {
        nodes.reduce(into: "") { html, node in html += self.html(node) }
    }

    private static func html(_ node: SafeNode) -> String {
        switch node {
        case .open(.link(let link)): "<a href=\"\(HTMLEntities.escape(link.href))\" \(linkAttributes)>"
        case .open(let element): "<\(element.tagName)>"
        case .close(let element): "</\(element.tagName)>"
        case .text(let text): HTMLEntities.escape(text)
        case .lineBreak: "<br>"
        case .rule: "<hr>"
        }
    }
}
