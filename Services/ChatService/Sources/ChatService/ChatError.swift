public import AtriumRuntime
public import HTTPTypes

/// Everything ChatService refuses, and why.
public enum ChatError: ProblemConvertible, Equatable {
    case threadNotFound(String)
    case accountNotFound(String)
    case taskNotFound(String)
    case invalid(String)
    case notAllowed(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .threadNotFound, .taskNotFound, .accountNotFound: .notFound
        case .invalid: .badRequest
        case .notAllowed: .forbidden
        }
    }

    public var problemSlug: String {
        switch self {
        case .threadNotFound: "thread-not-found"
        case .accountNotFound: "account-not-found"
        case .taskNotFound: "task-not-found"
        case .invalid: "invalid-request"
        case .notAllowed: "forbidden"
        }
    }

    public var problemDetail: String {
        switch self {
        case .threadNotFound(let id): "No thread \(id) that you can see."
        case .accountNotFound(let id): "No account \(id) that you can see."
        case .taskNotFound(let id): "No task \(id) in this thread."
        case .invalid(let why), .notAllowed(let why): why
        }
    }
}
