public import Hummingbird
import Logging
import NIOCore

/// The address of the client whose request is being handled (the TCP peer), for per-client limits.
///
/// The routers use `BasicRequestContext`, which does not keep the connection; the server's own
/// context (`AddressedRequestContext`) does, and `ClientAddressResponder` publishes it here.
public enum ClientAddress {
    /// The peer's IP address; nil when there is none (in-process tests).
    @TaskLocal public static var current: String?
}

/// The context the server creates per request: it remembers the connection it came from.
public struct AddressedRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    // The source itself is not Sendable; its two parts are.
    let channel: any Channel
    let sourceLogger: Logger

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        sourceLogger = source.logger
    }

    /// The source the server made this context from, for the router's own context.
    var source: ApplicationRequestContextSource { .init(channel: channel, logger: sourceLogger) }
}

/// Publishes the peer's address in `ClientAddress.current`, then hands the request to the router.
public struct ClientAddressResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    let inner: Inner

    public init(_ inner: Inner) {
        self.inner = inner
    }

    public func respond(to request: Request, context: AddressedRequestContext) async throws -> Response {
        let address = context.channel.remoteAddress?.ipAddress
        return try await ClientAddress.$current.withValue(address) {
            try await inner.respond(to: request, context: BasicRequestContext(source: context.source))
        }
    }
}
