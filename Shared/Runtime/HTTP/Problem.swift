public import HTTPTypes

/// An RFC 9457 problem: the body of every error response Atrium sends.
public struct Problem: Codable, Sendable, Equatable {
    /// A URI naming the kind of problem; stable, so clients can switch on it.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var instance: String?

    public init(type: String, title: String, status: Int, detail: String? = nil, instance: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
    }
}

/// An error that knows how it is shown to a client.
///
/// Each service has one domain error enum conforming to this; the problem middleware turns it
/// into an `application/problem+json` response.
public protocol ProblemConvertible: Error {
    var httpStatus: HTTPResponse.Status { get }
    /// A short slug such as `thread-not-found`; it becomes `https://atrium.dev/problems/<slug>`.
    var problemSlug: String { get }
    /// A sentence that tells the caller what was wrong.
    var problemDetail: String { get }
}

/// An error that tells the caller when to try again: the problem middleware sends `Retry-After`.
public protocol RetryAfterProviding: Error {
    /// Seconds until a retry may succeed; nil when there is nothing to wait for.
    var retryAfterSeconds: Int? { get }
}

extension ProblemConvertible {
    /// The problem document for this error.
    public var problem: Problem {
        Problem(
            type: "https://atrium.dev/problems/\(problemSlug)",
            title: httpStatus.reasonPhrase,
            status: httpStatus.code,
            detail: problemDetail
        )
    }
}

/// The errors the shared runtime raises itself.
public enum RuntimeError: ProblemConvertible, Equatable {
    case unauthenticated(String)
    case forbidden(String)
    case notFound(String)
    case invalidBody(String)
    case invalidRequest(String)
    case conflict(String)
    case payloadTooLarge(Int)
    case routeNotFound(method: String, path: String)
    case methodNotAllowed(method: String, path: String)
    case unavailable(String)
    case invalidSignature(String)

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound, .routeNotFound: .notFound
        case .invalidBody, .invalidRequest, .invalidSignature: .badRequest
        case .conflict: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .methodNotAllowed: .methodNotAllowed
        case .unavailable: .serviceUnavailable
        }
    }

    public var problemSlug: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .notFound: "not-found"
        case .routeNotFound: "route-not-found"
        case .invalidBody: "invalid-body"
        case .invalidRequest: "invalid-request"
        case .conflict: "conflict"
        case .payloadTooLarge: "payload-too-large"
        case .methodNotAllowed: "method-not-allowed"
        case .unavailable: "unavailable"
        case .invalidSignature: "invalid-webhook-signature"
        }
    }

    public var problemDetail: String {
        switch self {
        case .unauthenticated(let why), .forbidden(let why), .notFound(let why), .invalidBody(let why),
            .invalidRequest(let why), .conflict(let why), .unavailable(let why), .invalidSignature(let why):
            why
        case .payloadTooLarge(let limit): "The request body is larger than the \(limit) bytes this route accepts."
        case .routeNotFound(let method, let path): "No route matches \(method) \(path)."
        case .methodNotAllowed(let method, let path): "\(path) does not accept \(method)."
        }
    }
}
