public import Logging

/// What the runtime knows about the request being handled, reachable from any handler.
///
/// Generated OpenAPI handlers receive only their typed input, so the middlewares publish the
/// request id, trace and authenticated caller through this task-local instead.
public struct RequestScope: Sendable {
    public var requestID: String
    /// The span this service is handling; calls it makes carry `trace.child()`.
    public var trace: TraceParent
    public var caller: Caller?
    public var logger: Logger
    /// What caused this request, for the idempotency keys of the calls it makes: the request's own
    /// `Idempotency-Key` or `webhook-id`, or a cause a handler names (`withCause`). A redelivered
    /// event or a retried request so derives the same keys, and creates nothing twice.
    public var cause: String? = nil
    /// The bearer token the request carried (set by `AuthMiddleware` once it verified it), for
    /// calls made on the caller's behalf, as the caller (`ForwardedBearerMiddleware`). Never logged.
    public var bearerToken: String? = nil

    /// The scope of the current request, if there is one.
    @TaskLocal public static var current: RequestScope?

    /// Runs `body` with `cause` (say `"\(eventID):\(automationID)"`) as the cause of the calls it makes.
    public static func withCause<T>(_ cause: String, _ body: () async throws -> T) async rethrows -> T {
        var scope = current ?? RequestScope(requestID: TraceParent.randomHex(bytes: 8), trace: .random(), caller: nil, logger: Logger(label: "atrium"))
        scope.cause = cause
        return try await $current.withValue(scope) { try await body() }
    }

    /// The authenticated caller, or a 401 when the request carried no valid token.
    public static func requireCaller() throws -> Caller {
        guard let caller = current?.caller else {
            throw RuntimeError.unauthenticated("This route needs a bearer token.")
        }
        return caller
    }
}
