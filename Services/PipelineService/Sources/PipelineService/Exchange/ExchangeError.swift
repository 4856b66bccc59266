public import AtriumRuntime
public import HTTPTypes

/// What export and import refuse, beyond `PipelineError`: a bad or too new document, and another
/// service refusing what the import asked of it.
public enum ExchangeError: ProblemConvertible, Equatable {
    /// The document is not one this service can import: the detail names the field.
    case invalid(String)
    /// The document's format version is newer than this service reads.
    case unsupportedVersion(Int)
    /// A service refused to make a template or tag (its reason in the detail).
    case refused(String)
    /// A service refused the caller the reading or making of a template or tag.
    case denied(String)
    /// A service could not be reached or failed.
    case unavailable(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .invalid: .badRequest
        case .unsupportedVersion, .refused: .unprocessableContent
        case .denied: .forbidden
        case .unavailable: .serviceUnavailable
        }
    }

    public var problemSlug: String {
        switch self {
        case .invalid: "invalid-pipeline-document"
        case .unsupportedVersion: "unsupported-pipeline-version"
        case .refused: "import-refused"
        case .denied: "forbidden"
        case .unavailable: "unavailable"
        }
    }

    public var problemDetail: String {
        switch self {
        case .invalid(let why), .refused(let why), .denied(let why), .unavailable(let why): why
        case .unsupportedVersion(let version):
            "document.version \(version) is newer than this server reads; it reads \(PipelineDocumentReader.format) versions 1 to \(PipelineDocumentReader.version)."
        }
    }
}
