import AccountService
import AtriumRuntime
import ChatService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The runtime every service shares, exercised through ChatService's router.
@Suite("HTTP plumbing: problems, auth, health, metrics, documents")
struct HTTPPlumbingTests {
    func withChat(_ engine: TestEngine = .sqlite, overrides: [String: String] = [:],
                  _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let configuration = try TestConfiguration.make(.chat, storage: storage, overrides: overrides)
            let app = try await ChatService.buildApplication(configuration, directory: FixedDirectory())
            try await app.test(.router) { client in try await body(client) }
        }
    }

    @Test("unknown routes, bad JSON, missing fields and oversize bodies get problem+json 4xx", arguments: TestEngine.all)
    func problems(engine: TestEngine) async throws {
        let token = try await TestConfiguration.memberToken()
        try await withChat(engine, overrides: ["ATRIUM_HTTP_MAX_BODY_BYTES": "2048"]) { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try JSON.object(response.body)
                #expect(problem["type"] as? String == "https://atrium.dev/problems/route-not-found")
                #expect(problem["status"] as? Int == 404)
            }
            try await client.execute(uri: "/v1/threads", method: .post, headers: .bearer(token),
                                     body: .init(string: "{not json")) { response in
                #expect(response.status == .badRequest)
                #expect(response.json["type"] as? String == "https://atrium.dev/problems/invalid-body")
            }
            try await client.execute(uri: "/v1/threads", method: .post, headers: .bearer(token),
                                     body: try JSON.buffer(["subject": "no account"])) { response in
                #expect(response.status == .badRequest)
                #expect((response.json["detail"] as? String)?.contains("accountId") == true)
            }
            let big = try JSON.buffer(["accountId": "acct_1", "subject": String(repeating: "x", count: 4096)])
            try await client.execute(uri: "/v1/threads", method: .post, headers: .bearer(token), body: big) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("missing, malformed, forged and expired tokens are 401 on protected routes")
    func unauthenticated() async throws {
        let caller = Caller(kind: .member, subject: "mem_1", firmID: "firm_1", role: .owner)
        let forged = try await TokenSigner(accountSecret: "not-the-deployment-secret-0123456789abcdef").issue(for: caller)
        let expired = try await TestConfiguration.signer().issue(for: caller, now: Date().addingTimeInterval(-7200))
        try await withChat { client in
            for header in [nil, "Basic abc", "Bearer", "Bearer \(forged)", "Bearer \(expired)"] {
                var headers: HTTPFields = [:]
                if let header { headers[.authorization] = header }
                try await client.execute(uri: "/v1/threads/thr_1", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized, "\(header ?? "no header")")
                    #expect(response.json["type"] as? String == "https://atrium.dev/problems/unauthenticated")
                }
            }
            try await client.execute(uri: "/v1/webhooks/subscriptions", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("health, readiness, metrics and the OpenAPI document are served without a token", arguments: TestEngine.all)
    func operationalRoutes(engine: TestEngine) async throws {
        try await withChat(engine) { client in
            try await client.execute(uri: "/health/live", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("ready"))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let document = try JSON.object(response.body)
                let paths = try #require(document["paths"] as? [String: Any])
                #expect(paths["/v1/threads"] != nil)
                #expect(paths["/v1/webhooks/subscriptions"] != nil, "the shared webhooks contract is merged in")
            }
        }
    }

    @Test("a request id is echoed back, and a caller's own plain id is kept")
    func requestID() async throws {
        try await withChat { client in
            try await client.execute(uri: "/health/live", method: .get, headers: [HTTPField.Name("x-request-id")!: "abc-123"]) { response in
                #expect(response.headers[HTTPField.Name("x-request-id")!] == "abc-123")
            }
            try await client.execute(uri: "/health/live", method: .get, headers: [HTTPField.Name("x-request-id")!: "bad id\n"]) { response in
                let id = try #require(response.headers[HTTPField.Name("x-request-id")!])
                #expect(id != "bad id\n" && id.count == 16)
            }
        }
    }
}
