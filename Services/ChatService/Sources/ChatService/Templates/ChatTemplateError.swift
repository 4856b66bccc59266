import AtriumShortcodes
public import AtriumRuntime
public import HTTPTypes

/// What the chat template routes refuse, and why (403s and malformed requests are `RuntimeError`'s).
public enum ChatTemplateError: ProblemConvertible, Equatable {
    case notFound(String)
    case nameTaken(String)
    /// A field breaks a rule; the text names the field and the rule.
    case invalid(String)
    /// Bracketed tokens that are no shortcode, as written, per field.
    case unknownShortcodes(subject: [String], body: [String])

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .nameTaken: .conflict
        case .invalid, .unknownShortcodes: .badRequest
        }
    }

    public var problemSlug: String {
        switch self {
        case .notFound: "chat-template-not-found"
        case .nameTaken: "chat-template-name-taken"
        case .invalid: "invalid-chat-template"
        case .unknownShortcodes: "unknown-shortcode"
        }
    }

    public var problemDetail: String {
        switch self {
        case .notFound(let id): "No chat template \(id) that you can see."
        case .nameTaken(let name): "The firm already has a chat template named \"\(name)\" (names are compared in any case)."
        case .invalid(let why): why
        case .unknownShortcodes(let subject, let body):
            [Self.sentence(subject, in: "subject"), Self.sentence(body, in: "body"), Self.known].compactMap { $0 }.joined(separator: " ")
        }
    }

    /// "Unknown shortcode [CLIENT_NAME] in body."; nil when `tokens` is empty.
    private static func sentence(_ tokens: [String], in field: String) -> String? {
        guard !tokens.isEmpty else { return nil }
        return "Unknown shortcode\(tokens.count == 1 ? "" : "s") \(tokens.joined(separator: ", ")) in \(field)."
    }

    private static let known = "The shortcodes are " + Shortcode.allCases.map(\.token).joined(separator: ", ")
        + "; write \\[ for a bracket that is text."
}
