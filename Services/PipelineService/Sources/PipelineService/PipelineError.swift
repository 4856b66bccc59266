public import AtriumRuntime
public import HTTPTypes

/// Everything PipelineService refuses, and why.
public enum PipelineError: ProblemConvertible, Equatable {
    case threadNotKnown(String)
    case invalidEvent(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .threadNotKnown: .notFound
        case .invalidEvent: .badRequest
        }
    }

    public var problemSlug: String {
        switch self {
        case .threadNotKnown: "thread-not-known"
        case .invalidEvent: "invalid-event"
        }
    }

    public var problemDetail: String {
        switch self {
        case .threadNotKnown(let id): "The pipeline service has heard nothing of thread \(id)."
        case .invalidEvent(let why): why
        }
    }
}
