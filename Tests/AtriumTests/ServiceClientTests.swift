import AsyncHTTPClient
@testable import AtriumRuntime
import Foundation
import HTTPTypes
import Logging
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import WebhooksAPI

/// The typed clients services use to call each other, against a scripted server.
@Suite("Typed service clients: token, trace, idempotency, retries")
struct ServiceClientTests {
    final class Seen: Sendable {
        let requests = Mutex<[HTTPFields]>([])
        let failuresLeft = Mutex(0)
    }

    func withServer(
        failFirst: Int, delay: Duration = .zero, timeout: Duration = .seconds(10),
        _ body: @escaping @Sendable (ServiceClients, Seen) async throws -> Void
    ) async throws {
        let seen = Seen()
        seen.failuresLeft.withLock { $0 = failFirst }
        let router = Router()
        let respond = { @Sendable (request: Request) -> Response in
            let fail = seen.failuresLeft.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if fail {
                return Response(status: .serviceUnavailable, headers: [.contentType: "application/problem+json"],
                                body: .init(byteBuffer: .init(string: #"{"type":"about:blank","title":"Service Unavailable","status":503}"#)))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"items":["x"]}"#)))
        }
        router.get("/v1/webhooks/event-types") { request, _ in
            seen.requests.withLock { $0.append(request.headers) }
            try await Task.sleep(for: delay)
            return respond(request)
        }
        router.post("/v1/webhooks/subscriptions") { request, _ in
            seen.requests.withLock { $0.append(request.headers) }
            return respond(request)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await TestStorage.with(.sqlite) { storage in
                let configuration = try TestConfiguration.make(.pipeline, storage: storage,
                                                               overrides: ["ATRIUM_CHAT_URL": "http://127.0.0.1:\(client.port ?? 0)"])
                let tokens = ServiceTokenCache { audience in
                    (String(try await TestConfiguration.serviceToken(configuration.service.displayName, to: audience).dropFirst(7)), 900)
                }
                try await body(ServiceClients(serviceURLs: configuration.serviceURLs, tokens: tokens, httpClient: .shared, timeout: timeout), seen)
            }
        }
    }

    func chatWebhooks(_ clients: ServiceClients) throws -> Client {
        Client(serverURL: try clients.url(of: .chat), transport: clients.transport, middlewares: clients.middlewares(for: .chat))
    }

    @Test("idempotent calls are retried on 503, carry a service token and continue the caller's trace")
    func retriesIdempotent() async throws {
        try await withServer(failFirst: 2) { clients, seen in
            let scope = RequestScope(requestID: "req-1", trace: .random(), caller: nil, logger: .init(label: "test"))
            let output = try await RequestScope.$current.withValue(scope) { try await chatWebhooks(clients).listEventTypes() }
            #expect(try output.ok.body.json.items == ["x"])
            let requests = seen.requests.withLock { $0 }
            #expect(requests.count == 3)
            let last = try #require(requests.last)
            let token = try #require(last[.authorization]?.dropFirst(7))
            let caller = try await TestConfiguration.verifier(for: .chat).verify(String(token))
            #expect(caller.kind == .service && caller.subject == "pipeline-service")
            await #expect(throws: RuntimeError.self, "a token for chat-service is refused by any other") {
                try await TestConfiguration.verifier(for: .doc).verify(String(token))
            }
            let trace = try #require(last[HTTPField.Name("traceparent")!].flatMap(TraceParent.init(header:)))
            #expect(trace.traceID == scope.trace.traceID && trace.spanID != scope.trace.spanID)
            #expect(last[HTTPField.Name("x-request-id")!] == "req-1")
            #expect(last[.idempotencyKey] == nil)
        }
    }

    @Test("a call that outlives its timeout fails (after its retries) instead of hanging")
    func timesOut() async throws {
        try await withServer(failFirst: 0, delay: .seconds(3), timeout: .milliseconds(200)) { clients, seen in
            await #expect(throws: (any Error).self) { try await chatWebhooks(clients).listEventTypes() }
            #expect(seen.requests.withLock { $0.count } == 3)
        }
    }

    @Test("non-idempotent calls are not retried and carry an Idempotency-Key")
    func noRetryForPost() async throws {
        try await withServer(failFirst: 1) { clients, seen in
            let output = try await chatWebhooks(clients).createSubscription(body: .json(.init(url: "http://x", eventTypes: ["*"])))
            guard case .default(let status, _) = output else {
                Issue.record("expected the 503 to come back unretried, got \(output)")
                return
            }
            #expect(status == 503)
            let requests = seen.requests.withLock { $0 }
            #expect(requests.count == 1)
            #expect((requests.first?[.idempotencyKey]?.count ?? 0) >= 32)
        }
    }
}
