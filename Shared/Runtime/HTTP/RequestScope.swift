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

    /// The scope of the current request, if there is one.
    @TaskLocal public static var current: RequestScope?

    /// The authenticated caller, or a 401 when the request carried no valid token.
    public static func requireCaller() throws -> Caller {
        guard let caller = current?.caller else {
            throw RuntimeError.unauthenticated("This route needs a bearer token.")
        }
        return caller
    }
}
