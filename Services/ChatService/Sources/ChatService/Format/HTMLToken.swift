/// A piece of an HTML string as `HTMLTokenizer` reads it. Comments, doctypes, CDATA and
/// processing instructions are not tokens: they are dropped.
enum HTMLToken: Equatable {
    /// Text between tags, still HTML-encoded.
    case text(String)
    /// `<name …>`; `selfClosing` when written `<name … />`.
    case startTag(name: String, attributes: [HTMLAttribute], selfClosing: Bool)
    case endTag(name: String)
}
