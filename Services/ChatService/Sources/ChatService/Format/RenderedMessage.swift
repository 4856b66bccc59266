/// A chat message as served: its safe HTML, its plain text, its video embeds and its links.
public struct RenderedMessage: Sendable, Equatable {
    /// A fragment of HTML holding only `p br strong em del code pre blockquote ul ol li hr a`, with
    /// `href` (http, https or mailto only), `rel` and `target` on `a` and no other attribute.
    public var html: String
    /// The text without markup: blocks on lines of their own, spaces collapsed, a link's address
    /// after its text in parentheses (when the text is not the address). For previews and e-mails.
    public var plain: String
    /// The video links among `links`, in order, each once.
    public var embeds: [MessageEmbed]
    /// The http, https and mailto links the HTML keeps, in order, each once.
    public var links: [String]

    public init(html: String, plain: String, embeds: [MessageEmbed], links: [String]) {
        self.html = html
        self.plain = plain
        self.embeds = embeds
        self.links = links
    }

    /// Everything from the sanitised nodes, so the four views can never disagree.
    init(nodes: [SafeNode]) {
        let links = Self.links(in: nodes)
        self.init(
            html: SafeHTMLWriter.html(nodes),
            plain: PlainTextWriter.plain(nodes),
            embeds: Self.embeds(for: links),
            links: links
        )
    }

    private static func links(in nodes: [SafeNode]) -> [String] {
        var seen = Set<String>()
        return nodes.compactMap { node in
            guard case .open(.link(let link)) = node, seen.insert(link.href).inserted else { return nil }
            return link.href
        }
    }

    private static func embeds(for links: [String]) -> [MessageEmbed] {
        var seen = Set<String>()
        return links.compactMap { link in
            guard let embed = EmbedRecognizer.embed(for: link), seen.insert(embed.url).inserted else { return nil }
            return embed
        }
    }
}
