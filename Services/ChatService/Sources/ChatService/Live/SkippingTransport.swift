import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// Registers the generated operations on the router except those a streaming route serves
/// itself (the live streams): the router allows one handler per path and method, and the
/// generated layer would collect the response rather than stream it.
struct SkippingTransport: ServerTransport {
    let router: Router<BasicRequestContext>
    /// (method, path template) pairs left to the streaming routes.
    let skipped: [(HTTPRequest.Method, String)]

    func register(
        _ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        guard !skipped.contains(where: { $0.0 == method && $0.1 == path }) else { return }
        router.register(handler, method: method, path: path)
    }
}
