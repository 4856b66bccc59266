public import Hummingbird
import HTTPTypes
import Logging

/// Gives every request an id and a trace span, publishes them in `RequestScope`, echoes the id
/// in `x-request-id`, and logs one structured line per request.
public struct RequestScopeMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = request.headers[.requestID].flatMap(Self.acceptable) ?? TraceParent.randomHex(bytes: 8)
        let incoming = request.headers[.traceparent].flatMap(TraceParent.init(header:))
        let trace = incoming?.child() ?? TraceParent.random()
        var logger = context.logger
        logger[metadataKey: "hb.request.id"] = nil
        logger[metadataKey: "request_id"] = "\(requestID)"
        logger[metadataKey: "trace_id"] = "\(trace.traceID)"
        var scope = RequestScope(requestID: requestID, trace: trace, caller: nil, logger: logger)
        scope.cause = request.headers[.idempotencyKey] ?? request.headers[.webhookID]
        let started = ContinuousClock.now
        var response = try await RequestScope.$current.withValue(scope) {
            try await next(request, context)
        }
        response.headers[.requestID] = requestID
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(request.uri.path)",
            "status": "\(response.status.code)",
            "duration_ms": "\((ContinuousClock.now - started).milliseconds)",
        ])
        return response
    }

    /// A caller-supplied request id is kept only when it is short and plain.
    static func acceptable(_ id: String) -> String? {
        id.count <= 64 && !id.isEmpty && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } ? id : nil
    }
}

extension HTTPField.Name {
    static let requestID = Self("x-request-id")!
    static let webhookID = Self("webhook-id")!
    static let traceparent = Self("traceparent")!
}
