import AtriumRuntime
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PipelineAPI
@testable import PipelineService
import Testing

/// Every refusal of export and import: bad documents (named, 400 or 422, nothing made), roles and
/// firms, a service refusing a template, and the item templates' hook.
extension PipelineExchangeTests {
    /// `document` with `change` applied to the JSON at `path` (keys and indexes).
    static func changed(_ document: [String: Any], _ path: [Any], _ change: (Any?) -> Any?) -> [String: Any] {
        func apply(_ value: Any?, _ path: ArraySlice<Any>) -> Any? {
            guard let step = path.first else { return change(value) }
            if let key = step as? String, var object = value as? [String: Any] {
                object[key] = apply(object[key], path.dropFirst())
                return object
            }
            if let index = step as? Int, var array = value as? [Any], array.indices.contains(index) {
                guard let new = apply(array[index], path.dropFirst()) else { array.remove(at: index); return array }
                array[index] = new
                return array
            }
            return value
        }
        return apply(document, path[...]) as? [String: Any] ?? document
    }

    @Test("every bad document is refused, naming what is wrong, and nothing is made", arguments: TestEngine.all)
    func refusals(engine: TestEngine) async throws {
        let fake = FakeTemplateExchange()
        try await PipelineWorld.run(engine, templates: fake) { w in
            let doc = try Self.example()
            let stage1: [Any] = ["pipeline", "stages", 1, "automations"]
            let manyStages = (0...100).map { ["name": "Stage \($0)"] }
            let manyEmails = (0...200).map { ["ref": "e\($0)", "name": "E \($0)", "subject": "S", "body": "B"] }
            let cases: [(String, [String: Any], Int, String)] = [
                ("no format", Self.changed(doc, ["format"]) { _ in nil }, 400, "document.format is required"),
                ("another format", Self.changed(doc, ["format"]) { _ in "trello.board" }, 400, "\"trello.board\""),
                ("a newer version", Self.changed(doc, ["version"]) { _ in 2 }, 422, "document.version 2 is newer"),
                ("version 0", Self.changed(doc, ["version"]) { _ in 0 }, 400, "document.version 0"),
                ("version as text", Self.changed(doc, ["version"]) { _ in "1" }, 400, "document.version is required"),
                ("no pipeline", Self.changed(doc, ["pipeline"]) { _ in nil }, 400, "pipeline is required"),
                ("an unknown automation type", Self.changed(doc, stage1 + [0, "type"]) { _ in "launch_rocket" }, 400, "document.pipeline.stages[1].automations[0].type"),
                ("missing template content", Self.changed(doc, ["templates", "chat", 1]) { _ in nil }, 400, "\"chat-2\" names no template in document.templates.chat"),
                ("a template of another kind", Self.changed(doc, stage1 + [2, "template"]) { _ in "chat-1" }, 400, "document.templates.email"),
                ("no template", Self.changed(doc, stage1 + [2, "template"]) { _ in nil }, 400, "stages[1].automations[2].template is required"),
                ("a template on a type with none", Self.changed(doc, stage1 + [1, "template"]) { _ in "chat-1" }, 400, "uses no template"),
                ("no mode", Self.changed(doc, stage1 + [0, "mode"]) { _ in nil }, 400, "mode"),
                ("reminders on an e-mail", Self.changed(doc, stage1 + [2, "reminders"]) { _ in ["everyDays": 2, "times": 1] }, 400, "cannot remind"),
                ("a tag added and removed", Self.changed(doc, stage1 + [1, "tags"]) { _ in ["add": ["Reviewed"], "remove": ["reviewed"]] }, 400, "both added and removed"),
                ("a tag twice", Self.changed(doc, stage1 + [1, "tags"]) { _ in ["add": ["Reviewed", "REVIEWED"]] }, 400, "named twice"),
                ("a condition without tags", Self.changed(doc, stage1 + [2, "condition", "tags"]) { _ in [String]() }, 400, "condition.tags names 1 to 50"),
                ("a tag name too long", Self.changed(doc, stage1 + [1, "tags", "add", 0]) { _ in String(repeating: "t", count: 61) }, 400, "longer than 60"),
                ("a member id that is not one", Self.changed(doc, stage1) { list in (list as? [Any] ?? []) + [["type": "update_job_assignees", "members": ["add": ["bob"]]]] }, 400, "mem_"),
                ("no stages", Self.changed(doc, ["pipeline", "stages"]) { _ in [Any]() }, 400, "at least one stage"),
                ("too many stages", Self.changed(doc, ["pipeline", "stages"]) { _ in manyStages }, 400, "at most 100 stages"),
                ("automove on the last stage", Self.changed(doc, ["pipeline", "stages", 2, "automove"]) { _ in true }, 400, "last stage"),
                ("two stages of one name", Self.changed(doc, ["pipeline", "stages", 2, "name"]) { _ in "DOCUMENTS" }, 400, "Two stages"),
                ("a blank pipeline name", Self.changed(doc, ["pipeline", "name"]) { _ in "  " }, 400, "document.pipeline.name"),
                ("a chat body too long", Self.changed(doc, ["templates", "chat", 0, "body"]) { _ in String(repeating: "é", count: 20001) }, 400, "document.templates.chat[0].body is longer than 20000"),
                ("too many tasks", Self.changed(doc, ["templates", "chat", 0, "tasks"]) { _ in (0...200).map { ["text": "T\($0)"] } }, 400, "tasks: at most 200"),
                ("too many templates", Self.changed(doc, ["templates", "email"]) { _ in manyEmails }, 400, "at most 200"),
                ("two templates of one ref", Self.changed(doc, ["templates", "email", 0, "ref"]) { _ in "chat-1" }, 400, "unique"),
                ("a ref that is not one", Self.changed(doc, ["templates", "email", 0, "ref"]) { _ in "e mail" }, 400, "document.templates.email[0].ref"),
                ("two chat templates of one name", Self.changed(doc, ["templates", "chat", 1, "name"]) { _ in "PERSONAL TAX: DOCUMENTS" }, 400, "another chat template"),
                ("a subject on two lines", Self.changed(doc, ["templates", "email", 0, "subject"]) { _ in "One\nTwo" }, 400, "one line"),
                ("a task as a number", Self.changed(doc, ["templates", "chat", 0, "tasks", 0, "text"]) { _ in 7 }, 400, "document.templates.chat[0].tasks[0].text"),
                ("a folder with a slash", Self.changed(doc, ["templates", "folder"]) { _ in [["ref": "f", "name": "F", "folders": [["name": "a/b"]]]] }, 400, "slash"),
                ("item content too large", Self.changed(doc, ["templates", "items"]) { _ in
                    [["ref": "inv", "kind": "invoice", "name": "Fee", "content": ["text": String(repeating: "x", count: 70_000)]]] }, 400, "content is"),
            ]
            for (what, document, status, mentions) in cases {
                let (answer, problem) = try await w.send(.post, "/v1/pipelines/import", ["document": document])
                #expect(answer == status, "\(what): \(problem)")
                #expect((problem["detail"] as? String)?.contains(mentions) == true, "\(what): \(problem)")
                #expect((problem["type"] as? String)?.hasPrefix("https://atrium.dev/problems/") == true, "\(what)")
            }
            let (newer, problem) = try await w.send(.post, "/v1/pipelines/import", ["document": Self.changed(doc, ["version"]) { _ in 2 }])
            #expect(newer == 422 && problem["type"] as? String == "https://atrium.dev/problems/unsupported-pipeline-version")
            #expect(try await w.send(.post, "/v1/pipelines/import", ["document": "a pipeline"]).status == 400)
            #expect(try await w.send(.post, "/v1/pipelines/import", ["name": "No document"]).status == 400)
            #expect(try await w.send(.post, "/v1/pipelines/import", ["document": doc, "name": ""]).status == 400)
            let huge = Self.changed(doc, ["templates", "chat", 0, "body"]) { _ in String(repeating: "x", count: 1_100_000) }
            #expect(try await w.send(.post, "/v1/pipelines/import", ["document": huge]).status == 413)
            // Nothing was made by any of them.
            #expect(fake.stored(.chat, firm: "firm_test").isEmpty && fake.stored(.email, firm: "firm_test").isEmpty && fake.tags(firm: "firm_test").isEmpty)
            #expect((try await w.send(.get, "/v1/pipelines").json["items"] as? [[String: Any]])?.isEmpty == true)

            // A service refusing a template: 422 with its reason; a retry succeeds.
            fake.refuseCreates(1)
            let (refused, why) = try await w.send(.post, "/v1/pipelines/import", ["document": doc])
            #expect(refused == 422 && (why["detail"] as? String)?.contains("unknown shortcode") == true, "\(why)")
            #expect(try await w.send(.post, "/v1/pipelines/import", ["document": doc]).status == 201)
        }
    }

    @Test("who may export and import: owners and admins; team members and contacts 403, another firm 404", arguments: TestEngine.all)
    func roles(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine, templates: FakeTemplateExchange()) { w in
            let (pipeline, _) = try await w.pipeline([["name": "Only"]])
            let export = "/v1/pipelines/\(pipeline)/export"
            for (who, status) in [("owner", 200), ("admin", 200), ("assigned", 403), ("contact", 403), ("stranger", 404), ("strangerEmployee", 403)] {
                #expect(try await w.send(.get, export, as: who).status == status, "\(who)")
            }
            #expect(try await w.send(.get, export, as: nil).status == 401)
            #expect(try await w.send(.get, "/v1/pipelines/\(Identifier.make("pl"))/export").status == 404)
            let document = try Self.example()
            for (who, status) in [("admin", 201), ("assigned", 403), ("contact", 403), ("strangerEmployee", 403)] {
                let (answer, body) = try await w.send(.post, "/v1/pipelines/import", ["document": document, "name": "By \(who)"], as: who)
                #expect(answer == status, "\(who): \(body)")
            }
            #expect(try await w.send(.post, "/v1/pipelines/import", ["document": document], as: nil).status == 401)
        }
    }

    @Test("item templates go through the hook: none yet, so export leaves their automations out and import drops them", arguments: TestEngine.all)
    func itemTemplates(engine: TestEngine) async throws {
        let fake = FakeTemplateExchange()
        let gone = Identifier.make("tag"), business = fake.seedTag("Business", firm: "firm_test")
        try await PipelineWorld.run(engine, templates: fake) { w in
            let (pipeline, stages) = try await w.pipeline([["name": "Billing"]])
            try await w.automation(pipeline, stages[0], ["type": "create_invoice", "templateId": Identifier.make("itpl")])
            try await w.automation(pipeline, stages[0], ["type": "send_email", "templateId": Identifier.make("etpl")])
            try await w.automation(pipeline, stages[0], ["type": "update_account_tags", "tags": ["add": [gone]]])
            try await w.automation(pipeline, stages[0], ["type": "update_account_tags", "tags": ["add": [business, gone]]])
            let (status, document) = try await w.send(.get, "/v1/pipelines/\(pipeline)/export")
            #expect(status == 200, "\(document)")
            let automations = Self.automations(Self.stages(document["pipeline"] as? [String: Any]).first ?? [:])
            #expect(automations.map { $0["type"] as? String } == ["update_account_tags"])
            #expect((automations.first?["tags"] as? [String: Any])?["add"] as? [String] == ["Business"])
            let notes = document["notes"] as? [String] ?? []
            #expect(notes.count == 5, "\(notes)")
            #expect(notes.contains { $0.contains("invoice templates cannot be exported yet") })
            #expect(notes.contains { $0.contains("no longer exists") && $0.contains("send_email") })
            #expect(notes.filter { $0.contains(gone) }.count == 2 && notes.contains { $0.contains("nothing is left") })
            // Importing a document that carries an invoice template: its automation is dropped, with a warning.
            let withInvoice = Self.changed(Self.changed(try Self.example(), ["templates", "items"]) { _ in
                [["ref": "invoice-1", "kind": "invoice", "name": "Tax return fee", "content": ["lines": [["text": "Return", "amount": 250]]]]]
            }, ["pipeline", "stages", 1, "automations"]) { list in (list as? [Any] ?? []) + [["type": "create_invoice", "template": "invoice-1"]] }
            let (created, result) = try await w.send(.post, "/v1/pipelines/import", ["document": withInvoice])
            #expect(created == 201, "\(result)")
            #expect(Self.automations(Self.stages(result["pipeline"] as? [String: Any])[1]).count == 3)
            #expect((result["warnings"] as? [String])?.contains { $0.contains("Invoice template \"Tax return fee\"") } == true, "\(result)")
            // A condition naming a tag the firm no longer has would change meaning: the export is refused.
            try await w.automation(pipeline, stages[0], ["type": "update_account_tags", "tags": ["add": [business]], "condition": ["match": "none", "tagIds": [gone]]])
            let (conflict, problem) = try await w.send(.get, "/v1/pipelines/\(pipeline)/export")
            #expect(conflict == 409 && (problem["detail"] as? String)?.contains(gone) == true, "\(problem)")
        }
    }

    @Test("calls on the caller's behalf carry the caller's own token, and are not made without one")
    func forwardedToken() async throws {
        let middleware = ForwardedBearerMiddleware()
        let request = HTTPRequest(method: .get, scheme: "http", authority: "account", path: "/v1/tags")
        let base = try #require(URL(string: "http://account"))
        let (sent, requestID) = try await RequestScope.withCause("test") {
            var scope = try #require(RequestScope.current)
            scope.bearerToken = "the.callers.token"
            let (response, _) = try await RequestScope.$current.withValue(scope) {
                try await middleware.intercept(request, body: nil, baseURL: base, operationID: "listTags") { request, _, _ in
                    (HTTPResponse(status: .ok, headerFields: request.headerFields), nil)
                }
            }
            return (response, scope.requestID)
        }
        #expect(sent.headerFields[HTTPField.Name.authorization] == "Bearer the.callers.token")
        #expect(sent.headerFields[HTTPField.Name("x-request-id")!] == requestID)
        await #expect(throws: RuntimeError.self) {
            _ = try await middleware.intercept(request, body: nil, baseURL: base, operationID: "listTags") { _, _, _ in (HTTPResponse(status: .ok), nil) }
        }
    }
}

extension PipelineExchangeTests {
    @Test("once the items plug in, their templates travel like the others: exported in full, imported once, checked first", arguments: TestEngine.all)
    func pluggedItemTemplates(engine: TestEngine) async throws {
        let items = FakeItemTemplates()
        let fee = items.seed(.init(ref: "", kind: .invoice, name: "Tax return fee",
                                   content: try .init(unvalidatedValue: ["lines": [["text": "Return", "amount": 250] as [String: any Sendable]] as [any Sendable]])),
                             firm: "firm_test")
        try await PipelineWorld.run(engine, templates: FakeTemplateExchange(), items: items) { w in
            let (pipeline, stages) = try await w.pipeline([["name": "Billing"]], name: "Billing")
            try await w.automation(pipeline, stages[0], ["type": "create_invoice", "templateId": fee, "reminders": ["everyDays": 7, "times": 3]])
            let (status, document) = try await w.send(.get, "/v1/pipelines/\(pipeline)/export")
            #expect(status == 200 && document["notes"] == nil, "\(document)")
            let exported = (document["templates"] as? [String: Any])?["items"] as? [[String: Any]]
            #expect(exported?.first?["ref"] as? String == "invoice-1" && exported?.first?["kind"] as? String == "invoice")
            #expect(Self.automations(Self.stages(document["pipeline"] as? [String: Any])[0]).first?["template"] as? String == "invoice-1")
            // Into another firm, twice: made once, then reused.
            let (created, first) = try await w.send(.post, "/v1/pipelines/import", ["document": document], as: "stranger")
            #expect(created == 201 && (first["created"] as? [[String: Any]])?.first?["kind"] as? String == "invoice", "\(first)")
            let made = try #require(items.stored(firm: "firm_other").keys.first)
            #expect(Self.automations(Self.stages(first["pipeline"] as? [String: Any])[0]).first?["templateId"] as? String == made)
            let (again, second) = try await w.send(.post, "/v1/pipelines/import", ["document": document, "name": "Billing 2"], as: "stranger")
            #expect(again == 201 && (second["reused"] as? [[String: Any]])?.first?["id"] as? String == made && items.stored(firm: "firm_other").count == 1)
            // The hook checks content before anything is made.
            let bad = Self.changed(document, ["templates", "items", 0, "content"]) { _ in ["total": 1] }
            let (refused, problem) = try await w.send(.post, "/v1/pipelines/import", ["document": bad, "name": "Billing 3"], as: "stranger")
            #expect(refused == 400 && (problem["detail"] as? String)?.contains("document.templates.items[0].content.lines") == true, "\(problem)")
        }
    }
}
