import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// Folder templates across the real processes: PipelineService's own service token (obtained from
/// AccountService with its credential, as the automation will) applies a template under an
/// `Idempotency-Key`; a second apply creates nothing; a firm's subscriber hears one event per apply
/// that created folders.
@Suite("Folder templates across the real services", .serialized)
struct FolderTemplateIntegrationTests {
    @Test("a template applied twice creates nothing the second time, and is announced once", arguments: TestEngine.all)
    func applyTwice(engine: TestEngine) async throws {
        try await TestStorage.with(.sqlite) { consumerStorage in
            try await TestConsumer.run(storage: consumerStorage) { consumer, hook in
                try await IntegrationHarness.with(engine) { cluster in try await Self.scenario(cluster, consumer: consumer, hook: hook) }
            }
        }
    }

    static func scenario(_ cluster: Cluster, consumer: TestConsumer, hook: String) async throws {
        let account = ServiceHTTP(base: cluster.url(.account))
        let signup = try await account.send(.POST, "/v1/firms", json: [
            "firmName": "Templates & Co",
            "owner": ["email": "owner@templates.example", "firstName": "Tia", "lastName": "Owner", "password": AuthorizationMatrixTests.password],
        ])
        let owner = "Bearer " + (try #require((signup.json["tokens"] as? [String: Any])?["accessToken"] as? String))
        let asOwner = ServiceHTTP(base: cluster.url(.account), token: owner)
        let accountA = try #require(try await asOwner.send(.POST, "/v1/accounts", json: ["name": "Alpha", "kind": "company"]).json["id"] as? String)
        let accountB = try #require(try await asOwner.send(.POST, "/v1/accounts", json: ["name": "Beta", "kind": "company"]).json["id"] as? String)
        let doc = ServiceHTTP(base: cluster.url(.doc), token: owner)
        let types = try await doc.send(.GET, "/v1/webhooks/event-types").json["items"] as? [String] ?? []
        #expect(types.contains("doc.folder_template.applied"), "integrators may subscribe to it: \(types)")
        #expect(try await doc.send(.POST, "/v1/webhooks/subscriptions", json: [
            "url": hook, "secret": TestConsumer.secret, "eventTypes": ["doc.folder_template.applied"],
        ]).status == 201)
        #expect(try await doc.send(.POST, "/v1/accounts/\(accountA)/folders", json: ["name": "tax"]).status == 201)
        let template = try #require(try await doc.send(.POST, "/v1/folder-templates", json: [
            "name": "Onboarding", "folders": [["name": "Tax", "children": [["name": "2025"]]], ["name": "Payroll"]],
        ]).json["id"] as? String)

        let pipeline = ServiceHTTP(base: cluster.url(.doc), token: try await pipelineToken(account))
        let apply = "/v1/accounts/\(accountA)/folder-templates/\(template)/apply"
        let first = try await pipeline.send(.POST, apply, headers: [("idempotency-key", "msg_1:auto_1")])
        #expect(first.status == 200 && paths(first.json["created"]) == ["Payroll", "tax/2025"] && paths(first.json["reused"]) == ["tax"])
        let replay = try await pipeline.send(.POST, apply, headers: [("idempotency-key", "msg_1:auto_1")])
        #expect(replay.status == 200 && paths(replay.json["created"]) == ["Payroll", "tax/2025"], "the redelivery gets the first answer")
        let second = try await doc.send(.POST, apply)
        #expect(second.status == 200 && paths(second.json["created"]).isEmpty && paths(second.json["reused"]) == ["Payroll", "tax", "tax/2025"])
        #expect(paths(try await doc.send(.GET, "/v1/accounts/\(accountA)/folders").json["items"]) == ["Payroll", "tax", "tax/2025"])
        #expect(try await doc.send(.POST, "/v1/accounts/\(accountB)/folder-templates/\(template)/apply").status == 200)

        var events: [[String: Any]] = []
        try await eventually("both applies that created folders to be announced") {
            events = TestConsumer.data(await consumer.bodies).filter { $0["templateId"] as? String == template }
            return events.count >= 2
        }
        #expect(events.compactMap { $0["accountId"] as? String }.sorted() == [accountA, accountB].sorted(), "one event per apply that created")
        let createdA = (first.json["created"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(events.first { $0["accountId"] as? String == accountA }?["createdFolderIds"] as? [String] == createdA)
        #expect(events.first { $0["accountId"] as? String == accountA }?["appliedBy"] as? String == "pipeline-service")
    }

    /// PipelineService's token for DocService, obtained with its own credential.
    static func pipelineToken(_ account: ServiceHTTP) async throws -> String {
        let issued = try await account.send(.POST, "/v1/auth/service-token", json: [
            "service": "pipeline-service", "credential": ServiceCredential.derive(root: TestConfiguration.rootSecret, for: "pipeline-service"),
            "audience": "doc-service",
        ])
        #expect(issued.status == 200, "\(issued.json)")
        return "Bearer " + (try #require(issued.json["accessToken"] as? String))
    }

    static func paths(_ items: Any?) -> [String] {
        (items as? [[String: Any]])?.compactMap { $0["path"] as? String } ?? []
    }
}
