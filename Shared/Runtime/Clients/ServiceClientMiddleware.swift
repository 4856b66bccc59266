public import Foundation
import Crypto
public import HTTPTypes
public import OpenAPIRuntime

/// What every call from one Atrium service to another carries and how it is retried.
///
/// - a service token (cached, renewed a minute before it expires);
/// - the caller's `traceparent` (a child span of the request being handled), so a trace crosses services;
/// - an `Idempotency-Key` on methods that are not idempotent, derived from the call's cause (the
///   request or event being handled, see `RequestScope.cause`), its operation and its body, so
///   the same cause makes the same call with the same key — never a random one;
/// - retries with back-off for idempotent methods on connection errors, 429, 502, 503 and 504.
public struct ServiceClientMiddleware: ClientMiddleware {
    let tokens: ServiceTokenCache
    /// The service called, whose name the token's audience carries.
    let audience: ServiceName
    let maxAttempts: Int
    let retryBase: Duration

    public init(tokens: ServiceTokenCache, audience: ServiceName, maxAttempts: Int = 3, retryBase: Duration = .milliseconds(100)) {
        self.tokens = tokens
        self.audience = audience
        self.maxAttempts = maxAttempts
        self.retryBase = retryBase
    }

    /// `atr_` + SHA-256 of the cause, the operation and the body: stable for the same cause.
    static func idempotencyKey(operationID: String, path: String, body: ArraySlice<UInt8>) -> String {
        let scope = RequestScope.current
        let cause = scope?.cause ?? scope.map { "request:\($0.requestID)" } ?? "call:\(UUID().uuidString)"
        var hasher = SHA256()
        hasher.update(data: Data("\(cause)\n\(operationID)\n\(path)\n".utf8))
        hasher.update(data: Data(body))
        return "atr_" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static let idempotent: Set<HTTPRequest.Method> = [.get, .head, .put, .delete, .options]
    static let retryStatuses: Set<Int> = [429, 502, 503, 504]

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(try await tokens.token(for: audience))"
        let trace = RequestScope.current?.trace.child() ?? TraceParent.random()
        request.headerFields[.traceparentHeader] = trace.description
        if let requestID = RequestScope.current?.requestID { request.headerFields[.requestIDHeader] = requestID }
        let retryable = Self.idempotent.contains(request.method)
        var body = body
        if !retryable, request.headerFields[.idempotencyKey] == nil {
            var bytes: ArraySlice<UInt8> = []
            if let original = body {
                bytes = try await ArraySlice(collecting: original, upTo: 16 << 20)
                body = HTTPBody(bytes)
            }
            request.headerFields[.idempotencyKey] = Self.idempotencyKey(operationID: operationID, path: request.path ?? "", body: bytes)
        }
        var attempt = 1
        while true {
            do {
                let (response, responseBody) = try await next(request, body, baseURL)
                guard retryable, attempt < maxAttempts, Self.retryStatuses.contains(response.status.code) else {
                    return (response, responseBody)
                }
                // Read the refused response to its end so its connection goes back to the pool.
                if let responseBody { _ = try? await ArraySlice(collecting: responseBody, upTo: 1 << 20) }
            } catch {
                guard retryable, attempt < maxAttempts, !(error is CancellationError) else { throw error }
            }
            try await Task.sleep(for: retryBase * (1 << (attempt - 1)))
            attempt += 1
        }
    }
}

/// Where a service's tokens for calling others come from: AccountService, which issues each
/// one for a single audience against the service's own credential.
public typealias ServiceTokenSource = @Sendable (_ audience: ServiceName) async throws -> (token: String, lifetime: TimeInterval)

/// A service's tokens for calling others, one per audience, reused until a minute before they expire.
public actor ServiceTokenCache {
    private let source: ServiceTokenSource
    private var cached: [ServiceName: (token: String, renewAt: ContinuousClock.Instant)] = [:]

    public init(source: @escaping ServiceTokenSource) {
        self.source = source
    }

    /// A token that `audience` accepts.
    public func token(for audience: ServiceName) async throws -> String {
        if let hit = cached[audience], ContinuousClock.now < hit.renewAt { return hit.token }
        let (token, lifetime) = try await source(audience)
        cached[audience] = (token, ContinuousClock.now + .seconds(max(1, lifetime - 60)))
        return token
    }
}

extension HTTPField.Name {
    static let traceparentHeader = Self("traceparent")!
    static let requestIDHeader = Self("x-request-id")!
    /// `Idempotency-Key` (IETF draft): the receiver applies a repeated key's request once.
    public static let idempotencyKey = Self("Idempotency-Key")!
}
