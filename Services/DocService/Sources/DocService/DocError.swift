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
    case documentNotFound(String)
    case documentNameTaken(String)
    /// A route that only takes `multipart/form-data` got something else.
    case unsupportedMediaType(String)
    /// A document row whose bytes are gone from the blob store: our fault, not the caller's.
    case contentMissing(String)
    /// A `Range` that starts at or past the end of a document of this many bytes.
    case rangeNotSatisfiable(Int64)
    /// The upload's body ended before its closing delimiter.
    case uploadCutOff

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .accountNotFound, .folderNotFound, .documentNotFound: .notFound
        case .nameTaken, .folderNotEmpty, .invalidMove, .documentNameTaken: .conflict
        case .unsupportedMediaType: .unsupportedMediaType
        case .contentMissing: .internalServerError
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .uploadCutOff: .badRequest
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
        case .documentNotFound: "document-not-found"
        case .documentNameTaken: "document-name-taken"
        case .unsupportedMediaType: "unsupported-media-type"
        case .contentMissing: "document-content-missing"
        case .rangeNotSatisfiable: "range-not-satisfiable"
        case .uploadCutOff: "upload-incomplete"
        }
    }

    public var problemDetail: String {
        switch self {
        case .accountNotFound(let id): "No account \(id) that you can see."
        case .folderNotFound(let id): "No folder \(id) that you can see."
        case .nameTaken(let name): "A folder named \"\(name)\" is already there (names are compared in any case)."
        case .folderNotEmpty: "The folder has folders or documents inside; move or delete them first."
        case .invalidMove(let why), .invalid(let why), .notAllowed(let why), .unsupportedMediaType(let why): why
        case .documentNotFound(let id): "No document \(id) that you can see."
        case .documentNameTaken(let name): "A document named \"\(name)\" is already in that folder (names are compared in any case)."
        case .contentMissing(let id): "The bytes of document \(id) are missing from the store."
        case .rangeNotSatisfiable(let size): "The range starts past the end of the document (\(size) bytes)."
        case .uploadCutOff: "The upload ended before its last part was complete; nothing of it was kept."
        }
    }
}
