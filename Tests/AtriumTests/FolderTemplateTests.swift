import AtriumRuntime
@testable import DocService
import Foundation
import HTTPTypes
import Testing

/// Folder templates (SPEC "Documents"; the pipeline's "apply folder template" automation): a firm's
/// named folder structures, managed by owners and admins and applied to an account — merging,
/// idempotent, and announced once when it created something.
@Suite("DocService: folder templates")
struct FolderTemplateTests {
    typealias Docs = TemplateDocs
    static let problems = "https://atrium.dev/problems/"

    nonisolated(unsafe) static let standard: [[String: Any]] = [
        Docs.node("Tax", Docs.node("2025", Docs.node("Receipts")), Docs.node("Letters")),
        Docs.node("Payroll"),
    ]
    static let standardPaths = ["Payroll", "Tax", "Tax/2025", "Tax/2025/Receipts", "Tax/Letters"]

    @Test("create, read, list a page at a time by name, rename, replace the structure, delete", arguments: TestEngine.all)
    func crud(engine: TestEngine) async throws {
        try await Docs.with(engine) { docs in
            let id = try await docs.template("Onboarding", Self.standard)
            let got = try await docs.send(.get, "/v1/folder-templates/\(id)")
            #expect(got.status == .ok && got.json["name"] as? String == "Onboarding" && got.json["folderCount"] as? Int == 5)
            let tax = try #require((got.json["folders"] as? [[String: Any]])?.first)
            #expect(tax["name"] as? String == "Tax" && (tax["children"] as? [[String: Any]])?.count == 2)
            _ = try await docs.template("annual review", [Docs.node("Review")])
            _ = try await docs.template("  Closing  ", [Docs.node("Final")])
            #expect(try await Self.names(docs) == ["annual review", "Closing", "Onboarding"], "name order in any case, names trimmed")

            let renamed = try await docs.send(.patch, "/v1/folder-templates/\(id)", ["name": "New client"])
            #expect(renamed.status == .ok && renamed.json["name"] as? String == "New client" && renamed.json["folderCount"] as? Int == 5)
            let edited = try await docs.send(.patch, "/v1/folder-templates/\(id)", ["folders": [Docs.node("Only", Docs.node("Inner"))]])
            #expect(edited.status == .ok && edited.json["name"] as? String == "New client" && edited.json["folderCount"] as? Int == 2)
            #expect(try await docs.send(.get, "/v1/folder-templates/\(id)").json["folderCount"] as? Int == 2)

            #expect(try await docs.send(.delete, "/v1/folder-templates/\(id)").status == .noContent)
            #expect(try await docs.send(.get, "/v1/folder-templates/\(id)").status == .notFound)
            #expect(try await docs.send(.delete, "/v1/folder-templates/\(id)").status == .notFound)
            #expect(try await Self.names(docs) == ["annual review", "Closing"])
        }
    }

    /// Every template name, following `nextCursor` two at a time.
    static func names(_ docs: Docs) async throws -> [String] {
        var names: [String] = []
        var cursor: String?
        repeat {
            let query = cursor.map { "&cursor=\($0)" } ?? ""
            let (status, page, _) = try await docs.send(.get, "/v1/folder-templates?limit=2\(query)")
            #expect(status == .ok, "\(page)")
            let items = page["items"] as? [[String: Any]] ?? []
            #expect(items.count <= 2)
            names += items.compactMap { $0["name"] as? String }
            cursor = page["nextCursor"] as? String
        } while cursor != nil && names.count < 100
        return names
    }

    @Test("refused with a problem naming what was wrong: names, slashes, control characters, siblings, depth, size, clashes",
          arguments: TestEngine.all)
    func refusals(engine: TestEngine) async throws {
        try await Docs.with(engine) { docs in
            var deep = Docs.node("L11")
            for level in (1...10).reversed() { deep = Docs.node("L\(level)", deep) }
            let cases: [(String, [String: Any], String)] = [
                ("empty template name", ["name": " ", "folders": [Docs.node("A")]], "name must be 1 to 120"),
                ("long template name", ["name": String(repeating: "n", count: 121), "folders": [Docs.node("A")]], "name must be 1 to 120"),
                ("control character in the template name", ["name": "On\u{7}boarding", "folders": [Docs.node("A")]], "control characters"),
                ("no folders", ["name": "Empty", "folders": [[String: Any]]()], "at least one folder"),
                ("empty folder name", ["name": "T", "folders": [Docs.node("A", Docs.node(""))]], "folders[0].children[0].name must be 1 to 120"),
                ("long folder name", ["name": "T", "folders": [Docs.node(String(repeating: "x", count: 121))]], "folders[0].name must be 1 to 120"),
                ("slash", ["name": "T", "folders": [Docs.node("A"), Docs.node("Tax/2025")]], "folders[1].name may not"),
                ("control character", ["name": "T", "folders": [Docs.node("Tab\there")]], "folders[0].name may not"),
                ("siblings in any case", ["name": "T", "folders": [Docs.node("Tax"), Docs.node("TAX ")]], "folders[1].name: \"TAX\""),
                ("eleven levels", ["name": "T", "folders": [deep]], "at most 10 levels"),
                ("501 folders", ["name": "T", "folders": (1...501).map { Docs.node("F\($0)") }], "at most 500 folders"),
            ]
            for (what, body, detail) in cases {
                let (status, json, _) = try await docs.send(.post, "/v1/folder-templates", body)
                #expect(status == .badRequest && json["type"] as? String == Self.problems + "invalid-folder-template", "\(what): \(json)")
                #expect((json["detail"] as? String)?.contains(detail) == true, "\(what): \(json["detail"] ?? "")")
            }
            let id = try await docs.template("Onboarding", Self.standard)
            let other = try await docs.template("Other", [Docs.node("A")])
            let clash = try await docs.send(.post, "/v1/folder-templates", ["name": "ONBOARDING", "folders": [Docs.node("A")]])
            #expect(clash.status == .conflict && clash.json["type"] as? String == Self.problems + "folder-template-name-taken")
            let renameClash = try await docs.send(.patch, "/v1/folder-templates/\(other)", ["name": "onboarding"])
            #expect(renameClash.status == .conflict && renameClash.json["type"] as? String == Self.problems + "folder-template-name-taken")
            let badEdit = try await docs.send(.patch, "/v1/folder-templates/\(id)", ["folders": [Docs.node("A"), Docs.node("a")]])
            #expect(badEdit.status == .badRequest && (badEdit.json["detail"] as? String)?.contains("folders[1]") == true)
            #expect(try await docs.send(.get, "/v1/folder-templates?cursor=%25%25").status == .badRequest)
            #expect(try await docs.send(.get, "/v1/folder-templates/\(id)").json["folderCount"] as? Int == 5, "nothing refused changed anything")
            #expect(try await docs.send(.patch, "/v1/folder-templates/ftpl_missing", ["name": "X"]).status == .notFound)
        }
    }

    @Test("the contract's name limits are the code's")
    func limits() async throws {
        try await ContractLimitsTests.check("DocAPI", "FolderTemplateNode", "name") { text in
            ContractLimitsTests.succeeds { try FolderTemplateStructure.folderName(text, at: "folders[0]") }
        }
        for schema in ["FolderTemplateInput", "FolderTemplateChange"] {
            try await ContractLimitsTests.check("DocAPI", schema, "name") { text in ContractLimitsTests.succeeds { try FolderTemplateStructure.name(text) } }
        }
    }

    @Test("applied to an empty account: exactly the template's tree; applied again: nothing created, one event", arguments: TestEngine.all)
    func applyTwice(engine: TestEngine) async throws {
        try await Docs.with(engine) { docs in
            let id = try await docs.template("Onboarding", Self.standard)
            let first = try await docs.apply(id)
            #expect(first.status == .ok, "\(first.json)")
            #expect(Docs.paths(first.json["created"]) == Self.standardPaths && Docs.paths(first.json["reused"]).isEmpty)
            #expect(try await docs.paths() == Self.standardPaths)
            let second = try await docs.apply(id)
            #expect(second.status == .ok && Docs.paths(second.json["created"]).isEmpty)
            #expect(Docs.paths(second.json["reused"]) == Self.standardPaths)
            #expect(try await docs.paths() == Self.standardPaths)

            let events = try await docs.appliedEvents()
            #expect(events.count == 1, "an apply that created nothing announces nothing")
            let createdIDs = (first.json["created"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(events.first?["createdFolderIds"] as? [String] == createdIDs)
            #expect(events.first?["firmId"] as? String == "firm_test" && events.first?["accountId"] as? String == "acct_1")
            #expect(events.first?["templateId"] as? String == id && events.first?["templateName"] as? String == "Onboarding")
            #expect(events.first?["appliedBy"] as? String == "mem_test")
        }
    }

    @Test("merges into what is there: a folder of another case is reused, nothing renamed, other folders left alone",
          arguments: TestEngine.all)
    func merge(engine: TestEngine) async throws {
        try await Docs.with(engine) { docs in
            let tax = try await docs.folder("tax")
            _ = try await docs.folder("2025", in: tax)
            _ = try await docs.folder("Personal")
            _ = try await docs.folder("Notes", in: tax)
            let id = try await docs.template("Onboarding", Self.standard)
            let applied = try await docs.apply(id)
            #expect(applied.status == .ok, "\(applied.json)")
            #expect(Docs.paths(applied.json["reused"]) == ["tax", "tax/2025"])
            #expect(Docs.paths(applied.json["created"]) == ["Payroll", "tax/2025/Receipts", "tax/Letters"])
            #expect(try await docs.paths() == ["Payroll", "Personal", "tax", "tax/2025", "tax/2025/Receipts", "tax/Letters", "tax/Notes"])
            #expect(try await docs.appliedEvents().first?["createdFolderIds"] as? [String] == (applied.json["created"] as? [[String: Any]])?
                .compactMap { $0["id"] as? String })
        }
    }

    @Test("several applies at once make the tree once", arguments: TestEngine.all)
    func concurrentApplies(engine: TestEngine) async throws {
        try await Docs.with(engine) { docs in
            let id = try await docs.template("Onboarding", Self.standard)
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, Int).self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let (status, json, _) = try await docs.apply(id)
                        return (status, (json["created"] as? [Any])?.count ?? 0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.0 == .ok }, "\(answers)")
            #expect(answers.map(\.1).reduce(0, +) == Self.standardPaths.count, "every folder created by exactly one apply")
            #expect(try await docs.paths() == Self.standardPaths)
            #expect(try await docs.appliedEvents().count == answers.filter { $0.1 > 0 }.count)
        }
    }
}
