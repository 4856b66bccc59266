import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// Export and import across the real processes: PipelineService reads and makes the templates
/// and tags in ChatService, NotifyService, DocService and AccountService as the calling owner
/// (their token forwarded), so they land in the importing firm; a second import reuses them.
@Suite("Pipeline export and import across the real services", .serialized)
struct PipelineExchangeIntegrationTests {
    @Test("a pipeline exported from one firm imports into another with its templates and tags, once", arguments: TestEngine.all)
    func exportAndImport(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in try await Self.scenario(cluster) }
    }

    /// A new firm's owner token.
    static func firm(_ cluster: Cluster, _ name: String) async throws -> String {
        let signup = try await ServiceHTTP(base: cluster.url(.account)).send(.POST, "/v1/firms", json: [
            "firmName": name, "owner": ["email": "owner@\(name.lowercased()).example", "firstName": "Olive", "lastName": "Owner",
                                        "password": AuthorizationMatrixTests.password],
        ])
        return "Bearer " + (try #require((signup.json["tokens"] as? [String: Any])?["accessToken"] as? String, "\(signup.json)"))
    }

    static func scenario(_ cluster: Cluster) async throws {
        let ownerA = try await firm(cluster, "Exporters"), ownerB = try await firm(cluster, "Importers")
        let (account, chat, notify, doc, pipelines) = (ServiceHTTP(base: cluster.url(.account), token: ownerA), ServiceHTTP(base: cluster.url(.chat), token: ownerA),
                                                        ServiceHTTP(base: cluster.url(.notify), token: ownerA), ServiceHTTP(base: cluster.url(.doc), token: ownerA),
                                                        ServiceHTTP(base: cluster.url(.pipeline), token: ownerA))
        let business = try #require(try await account.send(.POST, "/v1/tags", json: ["name": "Business"]).json["id"] as? String)
        let chatTemplate = try #require(try await chat.send(.POST, "/v1/chat-templates", json: [
            "name": "Documents request", "subject": "[JOB_NAME]: documents", "body": "Hello [CONTACT_FIRST_NAME], please upload:",
            "tasks": [["text": "Income statements"], ["text": "Last year's return"], ["text": "Receipts"]],
        ]).json["id"] as? String)
        let emailTemplate = try #require(try await notify.send(.POST, "/v1/email-templates", json: [
            "name": "Business schedule", "subject": "[ACCOUNT_NAME]: business income", "body": "Hello [CONTACT_FIRST_NAME].",
        ]).json["id"] as? String)
        let folderTemplate = try #require(try await doc.send(.POST, "/v1/folder-templates", json: [
            "name": "Tax year", "folders": [["name": "Income", "children": [["name": "Wages"]]]],
        ]).json["id"] as? String)
        let created = try await pipelines.send(.POST, "/v1/pipelines", json: ["name": "Personal tax", "stages": [["name": "Documents", "automove": true], ["name": "Filed"]]])
        let pipeline = try #require(created.json["id"] as? String, "\(created.json)")
        let stage = try #require((created.json["stages"] as? [[String: Any]])?.first?["id"] as? String)
        for automation: [String: Any] in [
            ["type": "apply_folder_template", "templateId": folderTemplate],
            ["type": "send_message", "mode": "new_thread", "templateId": chatTemplate],
            ["type": "send_email", "templateId": emailTemplate, "condition": ["match": "any", "tagIds": [business]]],
        ] {
            let added = try await pipelines.send(.POST, "/v1/pipelines/\(pipeline)/stages/\(stage)/automations", json: automation)
            #expect(added.status == 201, "\(added.json)")
        }

        let exported = try await pipelines.send(.GET, "/v1/pipelines/\(pipeline)/export")
        #expect(exported.status == 200, "\(exported.json)")
        let templates = exported.json["templates"] as? [String: Any] ?? [:]
        #expect(((templates["chat"] as? [[String: Any]])?.first?["tasks"] as? [[String: Any]])?.count == 3)
        #expect((templates["email"] as? [[String: Any]])?.first?["name"] as? String == "Business schedule")
        #expect((templates["folder"] as? [[String: Any]])?.first?["name"] as? String == "Tax year")
        // Firm B cannot export firm A's pipeline.
        #expect(try await ServiceHTTP(base: cluster.url(.pipeline), token: ownerB).send(.GET, "/v1/pipelines/\(pipeline)/export").status == 404)

        let importer = ServiceHTTP(base: cluster.url(.pipeline), token: ownerB)
        let first = try await importer.send(.POST, "/v1/pipelines/import", json: ["document": exported.json])
        #expect(first.status == 201, "\(first.json)")
        #expect((first.json["created"] as? [[String: Any]])?.count == 3 && first.json["createdTags"] as? [String] == ["Business"])
        let second = try await importer.send(.POST, "/v1/pipelines/import", json: ["document": exported.json, "name": "Personal tax again"])
        #expect(second.status == 201, "\(second.json)")
        #expect((second.json["created"] as? [[String: Any]])?.isEmpty == true && (second.json["reused"] as? [[String: Any]])?.count == 3)
        // Made in firm B, by firm B's owner: B sees one of each; A still has only its own.
        let chatsB = try await ServiceHTTP(base: cluster.url(.chat), token: ownerB).send(.GET, "/v1/chat-templates").json["items"] as? [[String: Any]] ?? []
        #expect(chatsB.count == 1 && chatsB.first?["id"] as? String != chatTemplate)
        let imported = ((first.json["pipeline"] as? [String: Any])?["stages"] as? [[String: Any]])?.first?["automations"] as? [[String: Any]] ?? []
        #expect(imported.compactMap { $0["templateId"] as? String }.contains(chatsB.first?["id"] as? String ?? "?"))
        let tagsB = try await ServiceHTTP(base: cluster.url(.account), token: ownerB).send(.GET, "/v1/tags").json["items"] as? [[String: Any]] ?? []
        #expect(tagsB.compactMap { $0["name"] as? String } == ["Business"])
        #expect((try await chat.send(.GET, "/v1/chat-templates").json["items"] as? [[String: Any]])?.count == 1)
    }
}
