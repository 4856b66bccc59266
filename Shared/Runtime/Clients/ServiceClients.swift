public import AsyncHTTPClient
public import Foundation
public import OpenAPIAsyncHTTPClient
public import OpenAPIRuntime
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// What a typed client of another service is built from: its base URL, a transport with a
/// timeout, and the service-token, tracing, idempotency and retry middleware.
///
/// ```swift
/// let chat = ChatAPI.Client(serverURL: try clients.url(of: .chat), transport: clients.transport,
///                           middlewares: clients.middlewares(for: .chat))
/// ```
public struct ServiceClients: Sendable {
    public let serviceURLs: [ServiceName: String]
    public let transport: AsyncHTTPClientTransport
    /// This service's tokens for calling the others, one audience each.
    public let tokens: ServiceTokenCache

    public init(serviceURLs: [ServiceName: String], tokens: ServiceTokenCache, httpClient: HTTPClient, timeout: Duration = .seconds(10)) {
        self.serviceURLs = serviceURLs
        self.tokens = tokens
        transport = AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: .milliseconds(timeout.milliseconds)))
    }

    /// The middlewares of a client of `service`: its token names `service` as the audience.
    public func middlewares(for service: ServiceName) -> [any ClientMiddleware] {
        [ServiceClientMiddleware(tokens: tokens, audience: service)]
    }

    /// The base URL of `service`.
    public func url(of service: ServiceName) throws -> URL {
        guard let text = serviceURLs[service], let url = URL(string: text) else {
            throw ConfigurationError.invalid(key: "\(service.rawValue).url", why: "is not a URL")
        }
        return url
    }
}

extension ServiceTokenCache {
    /// Tokens from AccountService's `POST /v1/auth/service-token`, for `name` with its `credential`.
    public static func fromAccountService(
        url accountURL: String, name: String, credential: String, httpClient: HTTPClient
    ) -> ServiceTokenCache {
        ServiceTokenCache { audience in
            struct Request: Encodable {
                var service: String
                var credential: String
                var audience: String
            }
            struct Answer: Decodable {
                var accessToken: String
                var expiresIn: Int
            }
            var request = HTTPClientRequest(url: accountURL + "/v1/auth/service-token")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(
                Request(service: name, credential: credential, audience: audience.displayName))))
            let response = try await httpClient.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 64 * 1024)
            guard response.status == .ok else {
                throw RuntimeError.unavailable("AccountService refused a service token (\(response.status.code)).")
            }
            let answer = try JSONDecoder().decode(Answer.self, from: Data(buffer: body))
            return (answer.accessToken, TimeInterval(answer.expiresIn))
        }
    }
}
