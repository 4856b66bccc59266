public import AsyncHTTPClient
public import Foundation
public import OpenAPIAsyncHTTPClient
public import OpenAPIRuntime
import NIOCore

/// What a typed client of another service is built from: its base URL, a transport with a
/// timeout, and the service-token, tracing, idempotency and retry middleware.
///
/// ```swift
/// let chat = ChatAPI.Client(serverURL: try clients.url(of: .chat), transport: clients.transport,
///                           middlewares: clients.middlewares)
/// ```
public struct ServiceClients: Sendable {
    public let serviceURLs: [ServiceName: String]
    public let transport: AsyncHTTPClientTransport
    public let middlewares: [any ClientMiddleware]

    public init(configuration: ServiceConfiguration, tokens: TokenService, httpClient: HTTPClient, timeout: Duration = .seconds(10)) {
        serviceURLs = configuration.serviceURLs
        middlewares = [ServiceClientMiddleware(tokens: ServiceTokenCache(tokens: tokens, name: configuration.service.displayName))]
        transport = AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: .milliseconds(timeout.milliseconds)))
    }

    /// The base URL of `service`.
    public func url(of service: ServiceName) throws -> URL {
        guard let text = serviceURLs[service], let url = URL(string: text) else {
            throw ConfigurationError.invalid(key: "\(service.rawValue).url", why: "is not a URL")
        }
        return url
    }
}
