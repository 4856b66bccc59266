import AtriumRuntime
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PipelineAPI
@testable import PipelineService
import Testing

/// Export and import of a pipeline with its templates (SPEC "Pipelines", issue 16): the document
/// round-trips into another firm with that firm's ids; a second import reuses every template;
/// every bad document is refused, named, before anything is made.
@Suite("PipelineService: export and import")
struct PipelineExchangeTests {
    typealias Chat = Components.Schemas.PortableChatTemplate

    static let chat = PortableTemplate.chat(Chat(
        ref: "", name: "Documents request", subject: "[JOB_NAME]: documents", body: "Hello [CONTACT_FIRST_NAME],\n\nplease upload:",
        tasks: [.init(text: "Income statements"), .init(text: "Last year's return"), .init(text: "Receipts")],
        reminders: .init(daysUntilNext: 3, count: 2)))
    static let email = PortableTemplate.email(.init(ref: "", name: "Business schedule", subject: "[ACCOUNT_NAME]: business income", body: "Hello."))
    static let folder = PortableTemplate.folder(.init(ref: "", name: "Tax year", folders: [
        .init(name: "Income", children: [.init(name: "Wages"), .init(name: "Interest")]), .init(name: "Deductions"),
    ]))

    /// The example document of docs/PIPELINE-FORMAT.md.
    static func example() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(PersonalTaxPipeline.json.utf8)) as? [String: Any])
    }

    static func stages(_ pipeline: [String: Any]?) -> [[String: Any]] { pipeline?["stages"] as? [[String: Any]] ?? [] }
    static func automations(_ stage: [String: Any]) -> [[String: Any]] { stage["automations"] as? [[String: Any]] ?? [] }

    @Test("export, then import into another firm: the same pipeline with that firm's ids, templates and tags", arguments: TestEngine.all)
    func roundTrip(engine: TestEngine) async throws {
        let fake = FakeTemplateExchange()
        let business = fake.seedTag("Business", firm: "firm_test"), reviewed = fake.seedTag("Reviewed", firm: "firm_test")
        let chat = fake.seed(Self.chat, firm: "firm_test"), email = fake.seed(Self.email, firm: "firm_test"), folder = fake.seed(Self.folder, firm: "firm_test")
        let kept = Identifier.make("mem"), gone = Identifier.make("mem")
        fake.setMembers([kept], firm: "firm_other")
        try await PipelineWorld.run(engine, templates: fake) { w in
            let (pipeline, stages) = try await w.pipeline([
                ["name": "Documents", "automove": true], ["name": "Preparation", "condition": ["match": "none", "tagIds": [reviewed]]], ["name": "Filed"],
            ], name: "Personal tax")
            try await w.automation(pipeline, stages[0], ["type": "apply_folder_template", "templateId": folder])
            try await w.automation(pipeline, stages[0], ["type": "send_message", "templateId": chat, "mode": "new_thread", "reminders": ["everyDays": 3, "times": 2]])
            try await w.automation(pipeline, stages[1], ["type": "send_message", "templateId": chat, "mode": "reply_latest"])
            try await w.automation(pipeline, stages[1], ["type": "update_account_tags", "tags": ["add": [reviewed], "remove": [business]]])
            try await w.automation(pipeline, stages[1], ["type": "send_email", "templateId": email, "condition": ["match": "any", "tagIds": [business]]])
            try await w.automation(pipeline, stages[1], ["type": "update_job_assignees", "members": ["add": [kept, gone]]])
            try await w.automation(pipeline, stages[1], ["type": "update_account_access", "members": ["remove": [gone]]])

            let (status, document) = try await w.send(.get, "/v1/pipelines/\(pipeline)/export")
            #expect(status == 200, "\(document)")
            #expect(document["format"] as? String == "atrium.pipeline" && document["version"] as? Int == 1 && document["notes"] == nil)
            let exported = Self.stages(document["pipeline"] as? [String: Any])
            #expect(exported.map { $0["name"] as? String } == ["Documents", "Preparation", "Filed"])
            #expect(exported.map { $0["automove"] as? Bool } == [true, false, false])
            #expect((exported[1]["condition"] as? [String: Any])?["tags"] as? [String] == ["Reviewed"])
            let preparation = Self.automations(exported[1])
            #expect(preparation.map { $0["type"] as? String } == ["send_message", "update_account_tags", "send_email", "update_job_assignees", "update_account_access"])
            #expect(preparation[0]["template"] as? String == Self.automations(exported[0])[1]["template"] as? String, "one template, one ref")
            #expect((preparation[1]["tags"] as? [String: Any])?["add"] as? [String] == ["Reviewed"])
            #expect((preparation[1]["tags"] as? [String: Any])?["remove"] as? [String] == ["Business"])
            #expect((preparation[2]["condition"] as? [String: Any])?["tags"] as? [String] == ["Business"])
            #expect((preparation[3]["members"] as? [String: Any])?["add"] as? [String] == [kept, gone])
            let templates = try #require(document["templates"] as? [String: Any])
            let chats = try #require(templates["chat"] as? [[String: Any]])
            #expect(chats.count == 1 && (chats.first?["tasks"] as? [[String: Any]])?.count == 3 && chats.first?["name"] as? String == "Documents request")
            #expect((templates["email"] as? [[String: Any]])?.first?["subject"] as? String == "[ACCOUNT_NAME]: business income")
            let folders = (templates["folder"] as? [[String: Any]])?.first?["folders"] as? [[String: Any]]
            #expect((folders?.first?["children"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Wages", "Interest"])
            #expect(templates["items"] == nil)
            let refs = ["chat", "email", "folder"].compactMap { (templates[$0] as? [[String: Any]])?.first?["ref"] as? String }
            #expect(refs == ["chat-1", "email-1", "folder-1"])
            // Read as the caller: the owner's own token went to the other services.
            let owner = try #require(w.tokens["owner"]).replacingOccurrences(of: "Bearer ", with: "")
            #expect(!fake.tokens.isEmpty && fake.tokens.allSatisfy { $0 == owner })

            // Into another firm: its own templates and tags, new ids, members it lacks dropped.
            let (created, result) = try await w.send(.post, "/v1/pipelines/import", ["document": document], as: "stranger")
            #expect(created == 201, "\(result)")
            let imported = try #require(result["pipeline"] as? [String: Any])
            let newStages = Self.stages(imported)
            #expect(imported["id"] as? String != pipeline && imported["name"] as? String == "Personal tax")
            #expect(newStages.map { $0["name"] as? String } == ["Documents", "Preparation", "Filed"])
            #expect(Set(newStages.compactMap { $0["id"] as? String }).isDisjoint(with: stages))
            #expect(newStages.map { $0["automove"] as? Bool } == [true, false, false])
            let otherTags = Dictionary(uniqueKeysWithValues: fake.tags(firm: "firm_other").map { ($0.name, $0.id) })
            #expect(Set(result["createdTags"] as? [String] ?? []) == ["Business", "Reviewed"] && otherTags.count == 2)
            #expect((newStages[1]["condition"] as? [String: Any])?["tagIds"] as? [String] == [otherTags["Reviewed"] ?? "?"])
            let newPreparation = Self.automations(newStages[1])
            #expect(newPreparation.map { $0["type"] as? String } == ["send_message", "update_account_tags", "send_email", "update_job_assignees"])
            #expect((newPreparation[1]["tags"] as? [String: Any])?["add"] as? [String] == [otherTags["Reviewed"] ?? "?"])
            #expect((newPreparation[2]["condition"] as? [String: Any])?["tagIds"] as? [String] == [otherTags["Business"] ?? "?"])
            #expect((newPreparation[3]["members"] as? [String: Any])?["add"] as? [String] == [kept])
            let otherChat = try #require(fake.stored(.chat, firm: "firm_other").first)
            #expect(otherChat.template.sameContent(as: Self.chat) && otherChat.id != chat)
            #expect(newPreparation[0]["templateId"] as? String == otherChat.id)
            #expect(Self.automations(newStages[0]).compactMap { $0["templateId"] as? String } == [fake.stored(.folder, firm: "firm_other").first?.id, otherChat.id].compactMap { $0 })
            #expect(newPreparation[2]["templateId"] as? String == fake.stored(.email, firm: "firm_other").first?.id)
            #expect((result["created"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }.sorted() == ["chat", "email", "folder"])
            #expect((result["reused"] as? [[String: Any]])?.isEmpty == true)
            let warnings = result["warnings"] as? [String] ?? []
            #expect(warnings.count == 2 && warnings.allSatisfy { $0.contains(gone) }, "\(warnings)")
            #expect(warnings.contains { $0.contains("dropped") && $0.contains("update_account_access") })
            // Saved as answered, and the firm's own.
            let (read, again) = try await w.send(.get, "/v1/pipelines/\(imported["id"] as? String ?? "")", as: "stranger")
            #expect(read == 200 && Self.stages(again).count == 3 && Self.automations(Self.stages(again)[1]).count == 4)
            #expect(try await w.send(.get, "/v1/pipelines/\(imported["id"] as? String ?? "")").status == 404)
        }
    }

    @Test("the example document imports; importing twice makes no second template or tag", arguments: TestEngine.all)
    func importTwice(engine: TestEngine) async throws {
        let fake = FakeTemplateExchange()
        // The firm has the e-mail template already, in another case and with other words: reused, with a warning.
        let email = fake.seed(.email(.init(ref: "", name: "PERSONAL TAX: business income", subject: "Older words", body: "Older.")), firm: "firm_test")
        try await PipelineWorld.run(engine, templates: fake) { w in
            let document = try Self.example()
            let (status, first) = try await w.send(.post, "/v1/pipelines/import", ["document": document])
            #expect(status == 201, "\(first)")
            let pipeline = try #require(first["pipeline"] as? [String: Any])
            let stages = Self.stages(pipeline)
            #expect(pipeline["name"] as? String == "Personal tax")
            #expect(stages.map { $0["name"] as? String } == ["Documents", "Preparation", "Filed"])
            #expect(stages.map { $0["automove"] as? Bool } == [true, false, false])
            #expect(stages.map { Self.automations($0).count } == [1, 3, 0])
            let tags = Dictionary(uniqueKeysWithValues: fake.tags(firm: "firm_test").map { ($0.name, $0.id) })
            #expect(Set(first["createdTags"] as? [String] ?? []) == ["Reviewed", "Business"])
            let preparation = Self.automations(stages[1])
            #expect(preparation.map { $0["type"] as? String } == ["send_message", "update_account_tags", "send_email"])
            #expect(preparation[0]["mode"] as? String == "reply_latest" && preparation[2]["templateId"] as? String == email)
            #expect((preparation[2]["condition"] as? [String: Any])?["tagIds"] as? [String] == [tags["Business"] ?? "?"])
            #expect((Self.automations(stages[0]).first?["reminders"] as? [String: Any])?["times"] as? Int == 2)
            #expect((first["created"] as? [[String: Any]])?.compactMap { $0["ref"] as? String } == ["chat-1", "chat-2"])
            #expect((first["reused"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [email])
            #expect((first["warnings"] as? [String])?.count == 1 && (first["warnings"] as? [String])?.first?.contains("differs") == true)
            let tasks = fake.stored(.chat, firm: "firm_test").compactMap { stored -> Int? in
                guard case .chat(let chat) = stored.template else { return nil }
                return chat.tasks?.count
            }
            #expect(tasks.sorted() == [2, 3])

            // The same name again: 409, nothing made.
            let (taken, problem) = try await w.send(.post, "/v1/pipelines/import", ["document": document])
            #expect(taken == 409 && (problem["detail"] as? String)?.contains("name") == true, "\(problem)")
            // Under another name: everything reused.
            let (again, second) = try await w.send(.post, "/v1/pipelines/import", ["document": document, "name": "Personal tax (2027)"])
            #expect(again == 201, "\(second)")
            #expect((second["created"] as? [[String: Any]])?.isEmpty == true && (second["createdTags"] as? [String])?.isEmpty == true)
            #expect((second["reused"] as? [[String: Any]])?.count == 3)
            #expect(fake.stored(.chat, firm: "firm_test").count == 2 && fake.stored(.email, firm: "firm_test").count == 1 && fake.tags(firm: "firm_test").count == 2)
            // A template no automation uses is not imported, with a warning.
            let extra = Self.changed(document, ["templates", "folder"]) { _ in [["ref": "folder-1", "name": "Unused folders", "folders": [["name": "A"]]]] }
            let (third, unused) = try await w.send(.post, "/v1/pipelines/import", ["document": extra, "name": "Personal tax (2028)"])
            #expect(third == 201 && fake.stored(.folder, firm: "firm_test").isEmpty, "\(unused)")
            #expect((unused["warnings"] as? [String])?.contains { $0.contains("folder-1") && $0.contains("used by no automation") } == true, "\(unused)")
            let secondStages = Self.stages(second["pipeline"] as? [String: Any])
            #expect(Self.automations(secondStages[0]).first?["templateId"] as? String == Self.automations(stages[0]).first?["templateId"] as? String)
        }
    }

    @Test("docs/PIPELINE-FORMAT.md shows the example the tests import")
    func documentedExample() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/PIPELINE-FORMAT.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let block = try #require(text.components(separatedBy: "```json\n").last?.components(separatedBy: "```").first)
        let documented = try #require(try JSONSerialization.jsonObject(with: Data(block.utf8)) as? NSDictionary)
        #expect(documented == (try Self.example()) as NSDictionary)
    }
}
