import AccountService
import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PipelineService
import Testing

/// Pipelines and stages (SPEC "Pipelines", "Automove"): owners and admins shape them, team members
/// read them, the last stage never automoves, conditions name tags.
@Suite("PipelineService: pipelines and stages")
struct PipelineDefinitionTests {
    static let tagA = Identifier.make("tag")

    static func run(_ engine: TestEngine, _ body: @escaping @Sendable (any TestClientProtocol, [String: String]) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await PipelineService.buildApplication(try TestConfiguration.make(.pipeline, storage: storage))
            let signer = try await TestConfiguration.signer()
            func token(_ caller: Caller) async throws -> String { "Bearer " + (try await signer.issue(for: caller)) }
            let tokens = [
                "owner": try await token(Caller(kind: .member, subject: "mem_test", firmID: "firm_test", role: .owner)),
                "admin": try await token(Caller(kind: .member, subject: "mem_adm", firmID: "firm_test", role: .admin)),
                "employee": try await token(Caller(kind: .member, subject: "mem_emp", firmID: "firm_test", role: .employee)),
                "contact": try await token(Caller(kind: .contact, subject: "con_1", firmID: "firm_test")),
                "stranger": try await token(Caller(kind: .member, subject: "mem_x", firmID: "firm_other", role: .owner)),
            ]
            try await app.test(.router) { client in try await body(client, tokens) }
        }
    }

    static func send(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil,
                     as token: String?) async throws -> (status: Int, json: [String: Any]) {
        try await client.execute(uri: uri, method: method, headers: token.map { .bearer($0) } ?? [:], body: try body.map(JSON.buffer)) {
            (Int($0.status.code), $0.json)
        }
    }

    static func stageNames(_ pipeline: [String: Any]) -> [String] {
        (pipeline["stages"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    @Test("create, read, rename, add, reorder, update and remove stages; every refusal named", arguments: TestEngine.all)
    func lifecycle(engine: TestEngine) async throws {
        try await Self.run(engine) { client, tokens in
            let owner = tokens["owner"]
            let (status, created) = try await Self.send(client, .post, "/v1/pipelines", [
                "name": "Personal tax", "stages": [
                    ["name": "Documents", "automove": true], ["name": "Preparation", "condition": ["match": "any", "tagIds": [Self.tagA]]],
                    ["name": "Filed"],
                ],
            ], as: owner)
            #expect(status == 201, "\(created)")
            let id = try #require(created["id"] as? String)
            #expect(Self.stageNames(created) == ["Documents", "Preparation", "Filed"])
            let stages = (created["stages"] as? [[String: Any]] ?? [])
            #expect(stages.map { $0["position"] as? Int } == [0, 1, 2] && stages.first?["automove"] as? Bool == true)
            #expect((stages[1]["condition"] as? [String: Any])?["tagIds"] as? [String] == [Self.tagA])
            let stageIDs = stages.compactMap { $0["id"] as? String }

            // Who: team members read; owners and admins edit; another firm and contacts do not.
            #expect(try await Self.send(client, .get, "/v1/pipelines/\(id)", as: tokens["employee"]).status == 200)
            #expect(try await Self.send(client, .get, "/v1/pipelines", as: tokens["employee"]).json["items"].map { ($0 as? [Any])?.count } == 1)
            #expect(try await Self.send(client, .get, "/v1/pipelines/\(id)", as: tokens["contact"]).status == 403)
            #expect(try await Self.send(client, .get, "/v1/pipelines/\(id)", as: tokens["stranger"]).status == 404)
            #expect(try await Self.send(client, .patch, "/v1/pipelines/\(id)", ["name": "X"], as: tokens["employee"]).status == 403)
            #expect(try await Self.send(client, .patch, "/v1/pipelines/\(id)", ["name": "X"], as: tokens["stranger"]).status == 404)

            // The last stage never automoves: switching it on, adding after an automove stage at the end, or reordering it last.
            let last = try await Self.send(client, .patch, "/v1/pipelines/\(id)/stages/\(stageIDs[2])", ["automove": true], as: owner)
            #expect(last.status == 409 && (last.json["detail"] as? String)?.contains("Filed") == true, "\(last.json)")
            let reorder = try await Self.send(client, .put, "/v1/pipelines/\(id)/stage-order", ["stageIds": [stageIDs[2], stageIDs[1], stageIDs[0]]], as: owner)
            #expect(reorder.status == 409 && (reorder.json["detail"] as? String)?.contains("Documents") == true)
            let (reordered, after) = try await Self.send(client, .put, "/v1/pipelines/\(id)/stage-order", ["stageIds": [stageIDs[1], stageIDs[0], stageIDs[2]]], as: tokens["admin"])
            #expect(reordered == 200 && Self.stageNames(after) == ["Preparation", "Documents", "Filed"])
            #expect(try await Self.send(client, .put, "/v1/pipelines/\(id)/stage-order", ["stageIds": [stageIDs[0]]], as: owner).status == 400)

            // Stages added, renamed, their conditions changed and cleared, removed.
            let (added, withReview) = try await Self.send(client, .post, "/v1/pipelines/\(id)/stages", ["name": "Review", "position": 2], as: owner)
            #expect(added == 201 && Self.stageNames(withReview) == ["Preparation", "Documents", "Review", "Filed"])
            #expect(try await Self.send(client, .post, "/v1/pipelines/\(id)/stages", ["name": "review"], as: owner).status == 409, "stage names are unique")
            let badTag = try await Self.send(client, .patch, "/v1/pipelines/\(id)/stages/\(stageIDs[0])", ["condition": ["match": "all", "tagIds": ["nope"]]], as: owner)
            #expect(badTag.status == 400 && (badTag.json["detail"] as? String)?.contains("nope") == true)
            let (cleared, clearedJSON) = try await Self.send(client, .patch, "/v1/pipelines/\(id)/stages/\(stageIDs[1])", ["clearCondition": true, "name": "Prep"], as: owner)
            #expect(cleared == 200 && (clearedJSON["stages"] as? [[String: Any]])?.first?["condition"] == nil && Self.stageNames(clearedJSON).first == "Prep")
            #expect(try await Self.send(client, .patch, "/v1/pipelines/\(id)/stages/stg_missing", ["name": "X"], as: owner).status == 404)
            // Removing the last stage would leave Review last; it does not automove, so that is fine.
            let (removed, afterRemoval) = try await Self.send(client, .delete, "/v1/pipelines/\(id)/stages/\(stageIDs[2])", as: owner)
            #expect(removed == 200 && Self.stageNames(afterRemoval) == ["Prep", "Documents", "Review"])

            // Names: unique in the firm in any case; a rename to a taken one is refused.
            #expect(try await Self.send(client, .post, "/v1/pipelines", ["name": "PERSONAL TAX", "stages": [["name": "One"]]], as: owner).status == 409)
            #expect(try await Self.send(client, .post, "/v1/pipelines", ["name": "Empty", "stages": []], as: owner).status == 400)
            #expect(try await Self.send(client, .post, "/v1/pipelines", ["name": "Bookkeeping", "stages": [["name": "Only", "automove": true]]], as: owner).status == 409)
            #expect(try await Self.send(client, .post, "/v1/pipelines", ["name": "Bookkeeping", "stages": [["name": "Only"]]], as: owner).status == 201)
            #expect(try await Self.send(client, .patch, "/v1/pipelines/\(id)", ["name": "bookkeeping"], as: owner).status == 409)
            #expect(try await Self.send(client, .delete, "/v1/pipelines/\(id)", as: tokens["employee"]).status == 403)
            #expect(try await Self.send(client, .delete, "/v1/pipelines/\(id)", as: owner).status == 204)
            #expect(try await Self.send(client, .get, "/v1/pipelines/\(id)", as: owner).status == 404)
        }
    }
}
