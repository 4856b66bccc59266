public import Hummingbird
import HTTPTypes
import Logging

/// Turns every error into an RFC 9457 `application/problem+json` response.
///
/// Known errors keep their status and say what was wrong; anything else is logged with the
/// request id and answered with a 500 that leaks no internals.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let requestID = RequestScope.current?.requestID
            if let problem = Problem.from(error, request: request) {
                var response = problem.response(requestID: requestID)
                if let seconds = Problem.retryAfter(error) { response.headers[.retryAfter] = "\(seconds)" }
                return response
            }
            // Never the error itself: a ServerError dumps the request's headers and decoded body.
            context.logger.error("unhandled error", metadata: ["error": "\(LogRedaction.describe(error))"])
            return Problem(
                type: "https://atrium.dev/problems/internal", title: "Internal Server Error", status: 500,
                detail: "Something went wrong on our side; quote the request id when reporting it."
            ).response(requestID: requestID)
        }
    }
}
