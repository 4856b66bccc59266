import Foundation
public import Hummingbird
import OpenAPIRuntime

extension Problem {
    /// The `application/problem+json` response for this problem.
    public func response(requestID: String? = nil) -> Response {
        var problem = self
        if problem.instance == nil, let requestID { problem.instance = "urn:atrium:request:\(requestID)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(problem)) ?? Data(#"{"status":500,"title":"Internal Server Error","type":"about:blank"}"#.utf8)
        return Response(
            status: .init(code: status),
            headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    /// The problem an error thrown while handling `request` is shown as; nil means "an internal error".
    static func from(_ error: any Error, request: Request) -> Problem? {
        switch error {
        case let error as any ProblemConvertible:
            return error.problem
        case let error as HTTPError:
            return from(httpError: error, request: request)
        case let error as ServerError:
            return from(serverError: error, request: request)
        case let error as DecodingError:
            return RuntimeError.invalidBody(DecodingErrorDescription(error).text).problem
        case let error where Database.isUniqueViolation(error):
            // The loser of a race past a read-before-write (two transactions on PostgreSQL both saw
            // "not taken"): the index decided, and the answer is the same 409 the read would have given.
            return RuntimeError.conflict(Self.uniqueViolationDetail).problem.with(status: .conflict, slug: "already-exists")
        default:
            return nil
        }
    }

    private static func from(httpError error: HTTPError, request: Request) -> Problem {
        switch error.status {
        case .notFound: RuntimeError.routeNotFound(method: request.method.rawValue, path: request.uri.path).problem
        case .methodNotAllowed: RuntimeError.methodNotAllowed(method: request.method.rawValue, path: request.uri.path).problem
        case .contentTooLarge: RuntimeError.invalidBody("The request body is too large.").problem.with(status: .contentTooLarge, slug: "payload-too-large")
        default:
            Problem(type: "about:blank", title: error.status.reasonPhrase, status: error.status.code, detail: error.body)
        }
    }

    private static func from(serverError error: ServerError, request: Request) -> Problem? {
        // A DecodingError is the caller's fault only when their request failed to parse (a 4xx);
        // thrown from inside a handler it means stored data did not decode, which is ours: a 500.
        if error.underlyingError is DecodingError, !(400..<500).contains(error.httpStatus.code) { return nil }
        if let inner = from(error.underlyingError, request: request) { return inner }
        // Validation failures of the generated layer (missing header, wrong content type, bad query)
        // arrive as 4xx server errors; anything else is a handler bug and stays a 500.
        guard (400..<500).contains(error.httpStatus.code) else { return nil }
        return RuntimeError.invalidRequest("\(error.causeDescription): \(error.underlyingError)").problem
    }

    /// The `Retry-After` seconds an error asks for, looking through the generated layer's wrapper.
    static func retryAfter(_ error: any Error) -> Int? {
        if let error = error as? any RetryAfterProviding { return error.retryAfterSeconds }
        if let error = error as? ServerError { return retryAfter(error.underlyingError) }
        return nil
    }

    static let uniqueViolationDetail =
        "Something with the same unique name, e-mail address or key already exists (it may have been created at the same moment); fetch it, or choose another."

    func with(status: HTTPResponse.Status, slug: String) -> Problem {
        Problem(type: "https://atrium.dev/problems/\(slug)", title: status.reasonPhrase, status: status.code, detail: detail)
    }
}

/// A one-line account of what in a JSON body did not decode, without echoing the body.
struct DecodingErrorDescription {
    let text: String

    init(_ error: DecodingError) {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the body" : keys.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context): text = "\(path(context)) must be \(type): \(context.debugDescription)"
        case .valueNotFound(_, let context): text = "\(path(context)) must not be null."
        case .keyNotFound(let key, let context):
            text = "\(path(context) == "the body" ? "" : path(context) + ".")\(key.stringValue) is required."
        case .dataCorrupted(let context): text = "\(path(context)) is not valid: \(context.debugDescription)"
        @unknown default: text = "The body is not valid JSON for this route."
        }
    }
}
