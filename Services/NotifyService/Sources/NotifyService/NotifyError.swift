public import AtriumRuntime
public import HTTPTypes

/// Everything NotifyService refuses, and why.
public enum NotifyError: ProblemConvertible, Equatable {
    case itemNotFound(String)
    case emailNotFound(String)
    case templateNotFound(String)
    case accountNotFound(String)
    case invalid(String)
    case notAllowed(String)
    case conflict(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .itemNotFound, .emailNotFound, .templateNotFound, .accountNotFound: .notFound
        case .invalid: .badRequest
        case .notAllowed: .forbidden
        case .conflict: .conflict
        }
    }

    public var problemSlug: String {
        switch self {
        case .itemNotFound: "inbox-item-not-found"
        case .emailNotFound: "email-not-found"
        case .templateNotFound: "email-template-not-found"
        case .accountNotFound: "account-not-found"
        case .conflict: "conflict"
        case .invalid: "invalid-request"
        case .notAllowed: "forbidden"
        }
    }

    public var problemDetail: String {
        switch self {
        case .itemNotFound(let id): "No item \(id) in your inbox."
        case .emailNotFound(let id): "No e-mail \(id) that you can see."
        case .templateNotFound(let id): "No e-mail template \(id) that you can see."
        case .accountNotFound(let id): "No account \(id) that you can see."
        case .invalid(let why), .notAllowed(let why), .conflict(let why): why
        }
    }
}
