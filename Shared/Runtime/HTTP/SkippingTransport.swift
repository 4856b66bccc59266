public import HTTPTypes
public import Hummingbird
import OpenAPIHummingbird
public import OpenAPIRuntime

/// Registers a service's generated operations on its router except those a streaming route serves
/// itself (uploads, downloads, event streams): the router allows one handler per path and method,
/// and the generated layer would buffer the body one way or the other.
public struct SkippingTransport: ServerTransport {
    let router: Router<BasicRequestContext>
    /// (method, path template) pairs left to the streaming routes.
    let skipped: [(HTTPRequest.Method, String)]

    public init(router: Router<BasicRequestContext>, skipped: [(HTTPRequest.Method, String)]) {
        self.router = router
        self.skipped = skipped
    }

    public func register(
        _ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        guard !skipped.contains(where: { $0.0 == method && $0.1 == path }) else { return }
        router.register(handler, method: method, path: path)
    }
}
