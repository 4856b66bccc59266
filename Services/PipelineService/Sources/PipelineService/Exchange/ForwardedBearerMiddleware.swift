import AtriumRuntime
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Calls another service **as the person** whose request is being handled: sets `Authorization`
/// to the request's own bearer token (`RequestScope.bearerToken`), and carries the trace and the
/// request id like the service clients do. Without a token in scope the call is not made.
struct ForwardedBearerMiddleware: ClientMiddleware {
    static let traceparent = HTTPField.Name("traceparent")!
    static let requestID = HTTPField.Name("x-request-id")!

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let scope = RequestScope.current, let token = scope.bearerToken, !token.isEmpty else {
            throw RuntimeError.unauthenticated("Calls on the caller's behalf need the caller's bearer token.")
        }
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        request.headerFields[Self.traceparent] = scope.trace.child().description
        request.headerFields[Self.requestID] = scope.requestID
        return try await next(request, body, baseURL)
    }
}
