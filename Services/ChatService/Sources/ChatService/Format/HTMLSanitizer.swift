/// Rebuilds HTML (Ink's output) from an allowlist, as `SafeNode`s: nothing of the input is copied
/// through as markup. Text is decoded here and escaped again by `SafeHTMLWriter`; a tag becomes
/// a `SafeElement` or nothing (its text stays); the only attribute read is `a`'s `href`, and only
/// an address `SafeLink` accepts makes a link. `img` becomes a link to its address with its alt
/// text (images come as attachments, not from URLs). End tags close what they match, so the
/// nodes always nest; unmatched ones are dropped, and what is left open is closed at the end.
///
/// The placeholders of `MarkdownInput` become their URLs again here: a bare URL in text becomes
/// a link, except inside a link or code, where it stays text.
struct HTMLSanitizer {
    private let urls: URLPlaceholders
    private var nodes: [SafeNode] = []
    /// Tags open now: their name, and the element written for them (nil for a dropped tag).
    private var open: [(name: String, element: SafeElement?)] = []

    private init(urls: URLPlaceholders) {
        self.urls = urls
    }

    static func sanitize(_ html: String, urls: URLPlaceholders = URLPlaceholders()) -> [SafeNode] {
        var sanitizer = HTMLSanitizer(urls: urls)
        for token in HTMLTokenizer.tokens(in: html) {
            sanitizer.take(token)
        }
        while !sanitizer.open.isEmpty { sanitizer.closeLast() }
        return sanitizer.nodes
    }

    private static let voidTags: Set<String> = [
        "area", "base", "col", "embed", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
    ]

    private mutating func take(_ token: HTMLToken) {
        switch token {
        case .text(let raw): appendText(HTMLEntities.decode(raw))
        case .startTag(let name, let attributes, let selfClosing): start(name, attributes, selfClosing: selfClosing)
        case .endTag(let name): end(name)
        }
    }

    private mutating func start(_ name: String, _ attributes: [HTMLAttribute], selfClosing: Bool) {
        switch name {
        case "br": nodes.append(.lineBreak)
        case "hr": nodes.append(.rule)
        case "img": image(attributes)
        default:
            guard !selfClosing, !Self.voidTags.contains(name) else { return }
            let element = name == "a" ? link(attributes).map(SafeElement.link) : SafeElement(tagName: name)
            if let element { nodes.append(.open(element)) }
            open.append((name, element))
        }
    }

    // HTML does not nest links, so one inside another is dropped (its text stays).
    private func link(_ attributes: [HTMLAttribute]) -> SafeLink? {
        guard !isInside(\.isLink), let href = attributes.first(where: { $0.name == "href" }) else { return nil }
        return SafeLink(urls.expanded(HTMLEntities.decode(href.rawValue), asTyped: false))
    }

    private mutating func end(_ name: String) {
        guard let match = open.lastIndex(where: { $0.name == name }) else { return }
        while open.count > match { closeLast() }
    }

    // A link with no text (`[](url)`) shows its address, so that it can be seen and clicked.
    private mutating func closeLast() {
        guard let element = open.removeLast().element else { return }
        if case .link(let link) = element, nodes.last == .open(element) { nodes.append(.text(link.href)) }
        nodes.append(.close(element))
    }

    // Ink writes the alt text as HTML inside the attribute: its tags go, its text is decoded.
    private mutating func image(_ attributes: [HTMLAttribute]) {
        let altHTML = attributes.first { $0.name == "alt" }?.rawValue ?? ""
        let alt = HTMLEntities.decode(Self.textOnly(altHTML))
        let source = attributes.first { $0.name == "src" }.map { urls.expanded(HTMLEntities.decode($0.rawValue), asTyped: false) }
        guard !isInside(\.isLink), let link = source.flatMap(SafeLink.init) else {
            appendText(alt)
            return
        }
        let text = urls.expanded(alt, asTyped: true)
        nodes += [.open(.link(link)), .text(text.isEmpty ? link.href : text), .close(.link(link))]
    }

    private static func textOnly(_ html: String) -> String {
        HTMLTokenizer.tokens(in: html).reduce(into: "") { text, token in
            if case .text(let run) = token { text += run }
        }
    }

    private mutating func appendText(_ text: String) {
        for segment in urls.segments(text) {
            switch segment {
            case .text(let run): nodes.append(.text(run))
            case .url(let url): appendURL(url)
            }
        }
    }

    private mutating func appendURL(_ url: ProtectedURL) {
        guard !isInside(\.isLink), !isInside(\.isCode), let link = SafeLink(url.url) else {
            nodes.append(.text(url.source))
            return
        }
        nodes += [.open(.link(link)), .text(url.url), .close(.link(link))]
    }

    private func isInside(_ kind: KeyPath<SafeElement, Bool>) -> Bool {
        open.contains { $0.element?[keyPath: kind] == true }
    }
}
