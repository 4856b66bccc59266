public import AtriumRuntime
public import HTTPTypes

/// Everything DocService refuses, and why.
public enum DocError: ProblemConvertible, Equatable {
    case accountNotFound(String)
    case folderNotFound(String)
    case nameTaken(String)
    case folderNotEmpty
    case invalidMove(String)
    case invalid(String)
    case notAllowed(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .accountNotFound, .folderNotFound: .notFound
        case .nameTaken, .folderNotEmpty, .invalidMove: .conflict
        case .invalid: .badRequest
        case .notAllowed: .forbidden
        }
    }

    public var problemSlug: String {
        switch self {
        case .accountNotFound: "account-not-found"
        case .folderNotFound: "folder-not-found"
        case .nameTaken: "folder-name-taken"
        case .folderNotEmpty: "folder-not-empty"
        case .invalidMove: "invalid-move"
        case .invalid: "invalid-request"
        case .notAllowed: "forbidden"
        }
    }

    public var problemDetail: String {
        switch self {
        case .accountNotFound(let id): "No account \(id) that you can see."
        case .folderNotFound(let id): "No folder \(id) that you can see."
        case .nameTaken(let name): "A folder named \"\(name)\" is already there (names are compared in any case)."
        case .folderNotEmpty: "The folder has folders inside; move or delete them first."
        case .invalidMove(let why), .invalid(let why), .notAllowed(let why): why
        }
    }
}
