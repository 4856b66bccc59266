public import AtriumRuntime
public import HTTPTypes

/// Everything PipelineService refuses, and why.
public enum PipelineError: ProblemConvertible, Equatable {
    case threadNotKnown(String)
    case invalidEvent(String)
    case pipelineNotFound(String)
    case stageNotFound(String)
    case invalid(String)
    case notAllowed(String)
    case conflict(String)
    case jobNotFound(String)
    case automationNotFound(String)
    case unavailable(String)
    case itemTemplateNotFound(String)
    case itemNotFound(String)
    case taskNotFound(String)
    /// The item or task is not in a state that allows the change (409).
    case itemState(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .threadNotKnown, .pipelineNotFound, .stageNotFound: .notFound
        case .invalidEvent, .invalid: .badRequest
        case .notAllowed: .forbidden
        case .conflict: .conflict
        case .jobNotFound, .automationNotFound: .notFound
        case .unavailable: .serviceUnavailable
        case .itemTemplateNotFound, .itemNotFound, .taskNotFound: .notFound
        case .itemState: .conflict
        }
    }

    public var problemSlug: String {
        switch self {
        case .threadNotKnown: "thread-not-known"
        case .invalidEvent: "invalid-event"
        case .pipelineNotFound: "pipeline-not-found"
        case .stageNotFound: "stage-not-found"
        case .invalid: "invalid-request"
        case .notAllowed: "forbidden"
        case .conflict: "conflict"
        case .jobNotFound: "job-not-found"
        case .automationNotFound: "automation-not-found"
        case .unavailable: "unavailable"
        case .itemTemplateNotFound: "item-template-not-found"
        case .itemNotFound: "item-not-found"
        case .taskNotFound: "task-not-found"
        case .itemState: "item-state"
        }
    }

    public var problemDetail: String {
        switch self {
        case .threadNotKnown(let id): "The pipeline service has heard nothing of thread \(id)."
        case .pipelineNotFound(let id): "No pipeline \(id) that you can see."
        case .stageNotFound(let id): "No stage \(id) in this pipeline."
        case .invalidEvent(let why), .invalid(let why), .notAllowed(let why), .conflict(let why), .unavailable(let why): why
        case .jobNotFound(let id): "No job \(id) that you can see."
        case .automationNotFound(let id): "No automation \(id) in this stage."
        case .itemTemplateNotFound(let id): "No item template \(id) that you can see."
        case .itemNotFound(let id): "No item \(id) that you can see."
        case .taskNotFound(let id): "No task \(id) that you can see."
        case .itemState(let why): why
        }
    }
}
