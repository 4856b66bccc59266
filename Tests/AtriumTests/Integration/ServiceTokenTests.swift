import AccountService
import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// Tokens only AccountService can sign, checked by the real services: a token signed with any
/// other key is refused everywhere, and a service token for one service is refused by another.
@Suite("Service tokens and signing keys across the real services", .serialized)
struct ServiceTokenTests {
    @Test("only AccountService's key is accepted, and a service token only by the service it names", arguments: TestEngine.all)
    func onlyAccountServiceSigns(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let account = ServiceHTTP(base: cluster.url(.account))
            // The published keys verify what AccountService signs (the services fetched them the same way).
            let jwks = try await account.send(.GET, "/.well-known/jwks.json")
            #expect(jwks.status == 200)
            let keys = try #require(jwks.json["keys"] as? [[String: Any]])
            #expect(keys.count == 1 && keys.first?["kty"] as? String == "OKP" && keys.first?["crv"] as? String == "Ed25519")
            #expect(keys.first?["d"] == nil, "no private part is published")

            // Chat obtains a token for doc with its own credential.
            let chatCredential = ServiceCredential.derive(root: TestConfiguration.rootSecret, for: "chat-service")
            let issued = try await account.send(.POST, "/v1/auth/service-token", json: [
                "service": "chat-service", "credential": chatCredential, "audience": "doc-service",
            ])
            #expect(issued.status == 200, "\(issued.json)")
            let forDoc = "Bearer " + (try #require(issued.json["accessToken"] as? String))
            let subscriptions = "/v1/webhooks/subscriptions"
            #expect(try await ServiceHTTP(base: cluster.url(.doc), token: forDoc).send(.GET, subscriptions).status == 200)
            for other in [ServiceName.account, .chat, .pipeline, .notify] {
                let status = try await ServiceHTTP(base: cluster.url(other), token: forDoc).send(.GET, subscriptions).status
                #expect(status == 401, "\(other.displayName) accepted a token meant for doc-service")
            }

            // A credential proves one name only; a wrong or borrowed one gets nothing.
            for (service, credential) in [("notify-service", chatCredential), ("chat-service", chatCredential + "x"), ("chat-service", "")] {
                let refused = try await account.send(.POST, "/v1/auth/service-token", json: [
                    "service": service, "credential": credential, "audience": "account-service",
                ])
                #expect(refused.status == 401, "\(service) with a wrong credential: \(refused.status)")
            }
            #expect(try await account.send(.POST, "/v1/auth/service-token", json: [
                "service": "chat-service", "credential": chatCredential, "audience": "billing-service",
            ]).status == 400)

            // A member token signed with any other key — the old shared secret's way included — is refused by every service.
            let caller = Caller(kind: .member, subject: "mem_x", firmID: "firm_x", role: .owner)
            let stranger = try await TokenSigner(accountSecret: "some-other-deployment-secret-0123456789")
            let forged = "Bearer " + (try await stranger.issue(for: caller))
            for service in ServiceName.allCases {
                let status = try await ServiceHTTP(base: cluster.url(service), token: forged).send(.GET, subscriptions).status
                #expect(status == 401, "\(service.displayName) accepted a token AccountService did not sign")
            }
        }
    }
}
