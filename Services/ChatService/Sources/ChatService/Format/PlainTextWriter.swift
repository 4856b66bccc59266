/// Writes `SafeNode`s as plain text, for list previews and the plain part of e-mails: each
/// paragraph, list item, quote and line break starts a line; spaces collapse to one and empty
/// lines go, except that code keeps its lines and spacing; list items get `• ` or `1. `; a link
/// whose text is not its address is followed by the address in parentheses. Nothing of the
/// markup is left. (A one-line preview joins the lines with spaces.)
struct PlainTextWriter {
    private var lines: [String] = []
    private var current = ""
    private var isVerbatim = false
    /// The lists open now: nil for a bulleted one, else the number of its last item.
    private var lists: [Int?] = []
    /// The text written so far inside each link open now.
    private var linkTexts: [String] = []

    static func plain(_ nodes: [SafeNode]) -> String {
        var writer = PlainTextWriter()
        for node in nodes {
            writer.write(node)
        }
        writer.endLine()
        return writer.lines.joined(separator: "\n")
    }

    private mutating func write(_ node: SafeNode) {
        switch node {
        case .open(let element): open(element)
        case .close(let element): close(element)
        case .text(let text): write(text)
        case .lineBreak, .rule: endLine()
        }
    }

    private mutating func open(_ element: SafeElement) {
        switch element {
        case .paragraph, .blockquote: endLine()
        case .preformatted: endLine(); isVerbatim = true
        case .unorderedList: endLine(); lists.append(nil)
        case .orderedList: endLine(); lists.append(0)
        case .listItem: endLine(); current = itemMarker()
        case .link: linkTexts.append("")
        case .strong, .emphasis, .deleted, .code: break
        }
    }

    private mutating func close(_ element: SafeElement) {
        switch element {
        case .paragraph, .blockquote, .listItem: endLine()
        case .preformatted: endLine(); isVerbatim = false
        case .unorderedList, .orderedList: endLine(); lists = lists.dropLast()
        case .link(let link): closeLink(link)
        case .strong, .emphasis, .deleted, .code: break
        }
    }

    private mutating func itemMarker() -> String {
        guard let last = lists.last else { return "• " }
        guard let number = last else { return "• " }
        lists[lists.count - 1] = number + 1
        return "\(number + 1). "
    }

    private mutating func write(_ text: String) {
        if !linkTexts.isEmpty { linkTexts[linkTexts.count - 1] += text }
        guard isVerbatim else {
            current += text
            return
        }
        let pieces = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, piece) in pieces.enumerated() {
            if index > 0 { endLine() }
            current += piece
        }
    }

    private mutating func closeLink(_ link: SafeLink) {
        let text = Self.collapsed(linkTexts.popLast() ?? "")
        guard text != link.href, "mailto:" + text != link.href else { return }
        current += " (\(link.href))"
        if !linkTexts.isEmpty { linkTexts[linkTexts.count - 1] += " (\(link.href))" }
    }

    private mutating func endLine() {
        let line = isVerbatim ? String(current.reversed().drop(while: \.isWhitespace).reversed()) : Self.collapsed(current)
        if !line.isEmpty { lines.append(line) }
        current = ""
    }

    private static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
