public import AtriumRuntime
public import HTTPTypes

/// What the folder template routes refuse, and why (the rest is `DocError`).
public enum FolderTemplateError: ProblemConvertible, Equatable {
    case notFound(String)
    case nameTaken(String)
    /// The structure or the name breaks a rule; the text names where and which.
    case invalid(String)
    /// Concurrent changes to the account's folders kept getting in the way of an apply.
    case contended

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .nameTaken, .contended: .conflict
        case .invalid: .badRequest
        }
    }

    public var problemSlug: String {
        switch self {
        case .notFound: "folder-template-not-found"
        case .nameTaken: "folder-template-name-taken"
        case .invalid: "invalid-folder-template"
        case .contended: "folder-template-apply-contended"
        }
    }

    public var problemDetail: String {
        switch self {
        case .notFound(let id): "No folder template \(id) that you can see."
        case .nameTaken(let name): "The firm already has a folder template named \"\(name)\" (names are compared in any case)."
        case .invalid(let why): why
        case .contended: "Other changes to the account's folders kept getting in the way; apply the template again."
        }
    }
}
