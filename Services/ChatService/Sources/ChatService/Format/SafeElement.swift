/// The elements a rendered message may contain: the allowlist. A link carries a `SafeLink`, the
/// only way to give it an address.
enum SafeElement: Equatable {
    case paragraph
    case strong
    case emphasis
    case deleted
    case code
    case preformatted
    case blockquote
    case unorderedList
    case orderedList
    case listItem
    case link(SafeLink)

    /// The element an allowed HTML tag name stands for (`s`, Ink's strikethrough, becomes `del`);
    /// nil for every other tag, and for `a`, which needs its address checked first.
    init?(tagName: String) {
        switch tagName {
        case "p": self = .paragraph
        case "strong": self = .strong
        case "em": self = .emphasis
        case "del", "s": self = .deleted
        case "code": self = .code
        case "pre": self = .preformatted
        case "blockquote": self = .blockquote
        case "ul": self = .unorderedList
        case "ol": self = .orderedList
        case "li": self = .listItem
        default: return nil
        }
    }

    /// The HTML tag name written for this element.
    var tagName: String {
        switch self {
        case .paragraph: "p"
        case .strong: "strong"
        case .emphasis: "em"
        case .deleted: "del"
        case .code: "code"
        case .preformatted: "pre"
        case .blockquote: "blockquote"
        case .unorderedList: "ul"
        case .orderedList: "ol"
        case .listItem: "li"
        case .link: "a"
        }
    }

    var isLink: Bool {
        if case .link = self { true } else { false }
    }

    /// Code keeps its text as typed: no autolinks inside, and spaces kept in plain text.
    var isCode: Bool {
        self == .code || self == .preformatted
    }
}
