public import AtriumRuntime
public import HTTPTypes

/// Everything NotifyService refuses, and why.
public enum NotifyError: ProblemConvertible, Equatable {
    case itemNotFound(String)
    case emailNotFound(String)
    case invalid(String)
    case notAllowed(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .itemNotFound, .emailNotFound: .notFound
        case .invalid: .badRequest
        case .notAllowed: .forbidden
        }
    }

    public var problemSlug: String {
        switch self {
        case .itemNotFound: "inbox-item-not-found"
        case .emailNotFound: "email-not-found"
        case .invalid: "invalid-request"
        case .notAllowed: "forbidden"
        }
    }

    public var problemDetail: String {
        switch self {
        case .itemNotFound(let id): "No item \(id) in your inbox."
        case .emailNotFound(let id): "No e-mail \(id) that you can see."
        case .invalid(let why), .notAllowed(let why): why
        }
    }
}
