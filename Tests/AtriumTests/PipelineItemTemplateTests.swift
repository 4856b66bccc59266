import AtriumRuntime
import Foundation
import HTTPTypes
import Testing

/// Item templates: owners and admins shape them, team members read them, services read them by
/// id, contacts never; names unique per firm and kind in any case; every bad field named.
@Suite("PipelineService: item templates")
struct PipelineItemTemplateTests {
    static func detail(_ json: [String: Any]) -> String { json["detail"] as? String ?? "" }

    @Test("create, list by kind, read, change and delete; who may do what", arguments: TestEngine.all)
    func lifecycle(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let bodies: [(String, [String: Any])] = [
                ("invoice", ItemWorld.invoice), ("organizer", ItemWorld.organizer), ("proposal", ItemWorld.proposal),
                ("task", ["title": "Review the return", "description": "Second pair of eyes", "dueInDays": 3, "blocksAutomove": true]),
            ]
            var ids: [String: String] = [:]
            for (kind, content) in bodies {
                let (status, json) = try await w.send(.post, "/v1/item-templates", ["kind": kind, "name": "Standard", kind: content], as: "admin")
                #expect(status == 201 && json["kind"] as? String == kind && json[kind] != nil, "\(kind): \(json)")
                ids[kind] = json["id"] as? String
            }
            let organizer = try #require(ids["organizer"])
            let questions = ((try await w.send(.get, "/v1/item-templates/\(organizer)", as: "owner").json["organizer"] as? [String: Any])?["questions"] as? [[String: Any]]) ?? []
            #expect(questions.count == 5 && questions.first?["required"] as? Bool == true && questions[3]["options"] as? [String] == ["single", "joint"])
            let task = try await w.send(.get, "/v1/item-templates/\(ids["task"] ?? "")", as: "owner").json["task"] as? [String: Any]
            #expect(task?["blocksAutomove"] as? Bool == true && task?["dueInDays"] as? Int == 3)

            // Names: unique per firm and kind, in any case; the same name of another kind is fine (above).
            let taken = try await w.send(.post, "/v1/item-templates", ["kind": "invoice", "name": "STANDARD", "invoice": ItemWorld.invoice], as: "owner")
            #expect(taken.status == 409 && Self.detail(taken.json).contains("STANDARD"))
            #expect(try await w.send(.post, "/v1/item-templates", ["kind": "invoice", "name": "Other", "invoice": ItemWorld.invoice], as: "owner").status == 201)

            // Reading: team members, a kind at a time; services by id; contacts never; another firm's is missing.
            let all = try await w.send(.get, "/v1/item-templates", as: "unassigned")
            #expect(all.status == 200 && (all.json["items"] as? [Any])?.count == 5)
            let invoices = try await w.send(.get, "/v1/item-templates?kind=invoice", as: "assigned").json["items"] as? [[String: Any]] ?? []
            #expect(invoices.compactMap { $0["name"] as? String } == ["Other", "Standard"])
            #expect(try await w.send(.get, "/v1/item-templates?kind=nope", as: "owner").status == 400)
            #expect(try await w.send(.get, "/v1/item-templates", as: "contact").status == 403)
            #expect(try await w.send(.get, "/v1/item-templates", as: "service").status == 403)
            #expect(try await w.send(.get, "/v1/item-templates/\(organizer)", as: "service").status == 200)
            #expect(try await w.send(.get, "/v1/item-templates/\(organizer)", as: "contact").status == 403)
            #expect(try await w.send(.get, "/v1/item-templates/\(organizer)", as: "stranger").status == 404)
            #expect(try await w.send(.get, "/v1/item-templates", as: "stranger").json["items"].map { ($0 as? [Any])?.count } == 0)

            // Changing: owners and admins of the firm; the content must be of the template's kind.
            let path = "/v1/item-templates/\(ids["proposal"] ?? "")"
            #expect(try await w.send(.patch, path, ["name": "X"], as: "assigned").status == 403)
            #expect(try await w.send(.patch, path, ["name": "X"], as: "contact").status == 403)
            #expect(try await w.send(.patch, path, ["name": "X"], as: "stranger").status == 404)
            let wrongKind = try await w.send(.patch, path, ["invoice": ItemWorld.invoice], as: "owner")
            #expect(wrongKind.status == 400 && Self.detail(wrongKind.json).contains("invoice"), "\(wrongKind.json)")
            let (changed, proposal) = try await w.send(.patch, path, ["name": "Engagement", "proposal": ["title": "New", "body": "Text"]], as: "admin")
            #expect(changed == 200 && proposal["name"] as? String == "Engagement" && (proposal["proposal"] as? [String: Any])?["title"] as? String == "New")
            #expect(try await w.send(.patch, "/v1/item-templates/\(ids["invoice"] ?? "")", ["name": "other"], as: "owner").status == 409)

            #expect(try await w.send(.delete, path, as: "assigned").status == 403)
            #expect(try await w.send(.delete, path, as: "stranger").status == 404)
            #expect(try await w.send(.delete, path, as: "owner").status == 204)
            #expect(try await w.send(.get, path, as: "owner").status == 404)
            #expect(try await w.send(.delete, path, as: "owner").status == 404)
        }
    }

    @Test("every bad field is a 400 naming it", arguments: TestEngine.all)
    func refusals(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            func line(_ quantity: Int = 1, _ amount: Int = 100, _ description: String = "Work") -> [String: Any] {
                ["description": description, "quantity": quantity, "unitAmountMinor": amount]
            }
            let manyQuestions = (0...200).map { ["id": "q\($0)", "prompt": "Question \($0)", "type": "text"] }
            let cases: [(String, [String: Any], String)] = [
                ("invoice", ["currency": "usd", "lineItems": [line()]], "invoice.currency"),
                ("invoice", ["currency": "EURO", "lineItems": [line()]], "invoice.currency"),
                ("invoice", ["currency": "EUR", "lineItems": [[String: Any]]()], "invoice.lineItems"),
                ("invoice", ["currency": "EUR", "lineItems": [line(0)]], "invoice.lineItems[0].quantity"),
                ("invoice", ["currency": "EUR", "lineItems": [line(1, 100), line(1, -5)]], "invoice.lineItems[1].unitAmountMinor"),
                ("invoice", ["currency": "EUR", "lineItems": [line(1, 100, " ")]], "invoice.lineItems[0].description"),
                ("invoice", ["currency": "EUR", "lineItems": [line(1, 0)]], "more than zero"),
                ("invoice", ["currency": "EUR", "lineItems": [line(1_000_000, Int(Int64.max / 2))]], "invoice.lineItems"),
                ("organizer", ["title": "T", "questions": [["id": "a", "prompt": "Pick", "type": "choice"]]], "organizer.questions[0].options"),
                ("organizer", ["title": "T", "questions": [["id": "a", "prompt": "P", "type": "text", "options": ["x", "y"]]]], "organizer.questions[0].options"),
                ("organizer", ["title": "T", "questions": [["id": "a", "prompt": "P", "type": "text"], ["id": "a", "prompt": "Q", "type": "date"]]],
                 "organizer.questions[1].id"),
                ("organizer", ["title": "T", "questions": [["id": "a b", "prompt": "P", "type": "text"]]], "organizer.questions[0].id"),
                ("organizer", ["title": "T", "questions": [["id": "a", "prompt": "P", "type": "colour"]]], "type"),
                ("organizer", ["title": "T", "questions": manyQuestions], "organizer.questions"),
                ("organizer", ["title": "", "questions": [["id": "a", "prompt": "P", "type": "text"]]], "organizer.title"),
                ("proposal", ["title": "T", "body": String(repeating: "x", count: 20_001)], "proposal.body"),
                ("proposal", ["title": "T", "body": "B", "fee": ["amountMinor": 100, "currency": "eu"]], "proposal.fee.currency"),
                ("task", ["title": "T", "dueInDays": -1], "task.dueInDays"),
                ("task", ["title": "Two\nlines"], "task.title"),
            ]
            for (kind, content, field) in cases {
                let (status, json) = try await w.send(.post, "/v1/item-templates", ["kind": kind, "name": UUID().uuidString, kind: content], as: "owner")
                #expect(status == 400 && Self.detail(json).contains(field), "\(field): \(status) \(json)")
            }
            let missing = try await w.send(.post, "/v1/item-templates", ["kind": "invoice", "name": "No content"], as: "owner")
            #expect(missing.status == 400 && Self.detail(missing.json).contains("invoice"))
            let mixed = try await w.send(.post, "/v1/item-templates", ["kind": "task", "name": "Mixed", "task": ["title": "T"], "proposal": ItemWorld.proposal],
                                         as: "owner")
            #expect(mixed.status == 400 && Self.detail(mixed.json).contains("proposal"))
            #expect(try await w.send(.post, "/v1/item-templates", ["kind": "memo", "name": "M"], as: "owner").status == 400)
            #expect(try await w.send(.post, "/v1/item-templates", ["kind": "task", "name": " ", "task": ["title": "T"]], as: "owner").status == 400)
            #expect(try await w.send(.post, "/v1/item-templates", ["kind": "task", "name": "T", "task": ["title": "T"]], as: "assigned").status == 403)
            #expect(try await w.send(.post, "/v1/item-templates", ["kind": "task", "name": "T", "task": ["title": "T"]], as: "contact").status == 403)
            #expect(try await w.send(.get, "/v1/item-templates", as: "owner").json["items"].map { ($0 as? [Any])?.count } == 0, "nothing refused was kept")
        }
    }
}
