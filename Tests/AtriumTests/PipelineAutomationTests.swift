import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
@testable import PipelineService
import Testing

/// A stage's automations (SPEC "Pipelines"): edited with the pipeline, run in order when a job
/// enters the stage, each condition read when its automation runs, every call keyed by its cause.
@Suite("PipelineService: automations")
struct PipelineAutomationTests {
    static let business = Identifier.make("tag")
    static let reviewed = Identifier.make("tag")

    @Test("add, replace, reorder and remove automations; the stage summary counts them; every refusal named", arguments: TestEngine.all)
    func editing(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (pipeline, stages) = try await w.pipeline([["name": "Intake"], ["name": "Review"]])
            let base = "/v1/pipelines/\(pipeline)/stages/\(stages[0])"
            let folder = Identifier.make("ftpl"), chat = Identifier.make("ctpl")
            try await w.automation(pipeline, stages[0], ["type": "apply_folder_template", "templateId": folder])
            try await w.automation(pipeline, stages[0], ["type": "send_message", "templateId": chat, "mode": "new_thread",
                                                         "reminders": ["everyDays": 3, "times": 2]])
            let after = try await w.automation(pipeline, stages[0], ["type": "update_account_tags", "tags": ["add": [Self.reviewed]],
                                                                     "condition": ["match": "any", "tagIds": [Self.business]], "position": 0])
            let stage = try #require((after["stages"] as? [[String: Any]])?.first)
            let automations = try #require(stage["automations"] as? [[String: Any]])
            #expect(automations.map { $0["type"] as? String } == ["update_account_tags", "apply_folder_template", "send_message"])
            #expect(automations.map { $0["position"] as? Int } == [0, 1, 2])
            let summary = try #require(stage["summary"] as? [String: Any])
            #expect(summary["automations"] as? Int == 3 && summary["conditional"] as? Int == 1)
            #expect((summary["templates"] as? [[String: Any]])?.compactMap { $0["templateId"] as? String } == [folder, chat])
            let ids = automations.compactMap { $0["id"] as? String }

            let (reordered, order) = try await w.send(.put, "\(base)/automation-order", ["automationIds": [ids[2], ids[0], ids[1]]])
            #expect(reordered == 200)
            let newOrder = ((order["stages"] as? [[String: Any]])?.first?["automations"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(newOrder == [ids[2], ids[0], ids[1]])
            let (replaced, changed) = try await w.send(.put, "\(base)/automations/\(ids[1])", ["type": "send_email", "templateId": Identifier.make("etpl")])
            #expect(replaced == 200)
            let kinds = ((changed["stages"] as? [[String: Any]])?.first?["automations"] as? [[String: Any]])?.compactMap { $0["type"] as? String }
            #expect(kinds == ["send_message", "update_account_tags", "send_email"])
            #expect(try await w.send(.delete, "\(base)/automations/\(ids[2])").status == 200)

            // Refusals, each saying what was wrong.
            let refusals: [([String: Any], String)] = [
                (["type": "send_message", "templateId": chat], "mode"),
                (["type": "apply_folder_template"], "templateId"),
                (["type": "apply_folder_template", "templateId": chat], "ftpl_"),
                (["type": "update_account_tags"], "tags"),
                (["type": "update_account_tags", "tags": ["add": ["oops"]]], "tag_"),
                (["type": "update_account_tags", "tags": ["add": [Self.business], "remove": [Self.business]]], "not both"),
                (["type": "update_job_assignees", "members": ["add": [Identifier.make("mem")]], "templateId": folder], "no template"),
                (["type": "send_email", "templateId": Identifier.make("etpl"), "reminders": ["everyDays": 2, "times": 1]], "cannot remind"),
                (["type": "update_account_access", "members": [String: Any]()], "members"),
            ]
            for (body, mentions) in refusals {
                let (status, problem) = try await w.send(.post, "\(base)/automations", body)
                #expect(status == 400, "\(body)")
                #expect((problem["detail"] as? String)?.contains(mentions) == true, "\(problem)")
            }
            #expect(try await w.send(.post, "\(base)/automations", ["type": "bogus"]).status == 400)
            #expect(try await w.send(.put, "\(base)/automation-order", ["automationIds": [ids[0]]]).status == 400)
            #expect(try await w.send(.delete, "\(base)/automations/\(Identifier.make("aut"))").status == 404)
            #expect(try await w.send(.post, "/v1/pipelines/\(pipeline)/stages/\(Identifier.make("stg"))/automations",
                                     ["type": "send_email", "templateId": Identifier.make("etpl")]).status == 404)
            // Who may edit: owners and admins; employees, contacts and other firms may not.
            let draft: [String: Any] = ["type": "send_email", "templateId": Identifier.make("etpl")]
            #expect(try await w.send(.post, "\(base)/automations", draft, as: "admin").status == 201)
            #expect(try await w.send(.post, "\(base)/automations", draft, as: "assigned").status == 403)
            #expect(try await w.send(.post, "\(base)/automations", draft, as: "contact").status == 403)
            #expect(try await w.send(.post, "\(base)/automations", draft, as: "stranger").status == 404)
            #expect(try await w.send(.post, "\(base)/automations", draft, as: nil).status == 401)
        }
    }

    @Test("a job's stage runs its automations in order, each once, with keys from the entry; an earlier tag change counts for a later condition",
          arguments: TestEngine.all)
    func runsInOrder(engine: TestEngine) async throws {
        let downstream = FakeDownstream(tags: ["acct_1": []])
        try await PipelineWorld.run(engine, downstream: downstream) { w in
            let (pipeline, stages) = try await w.pipeline([["name": "Intake"], ["name": "Done"]])
            let extra = Identifier.make("mem")
            try await w.automation(pipeline, stages[0], ["type": "apply_folder_template", "templateId": Identifier.make("ftpl")])
            // Skipped: the account is not tagged Business when it comes to run.
            try await w.automation(pipeline, stages[0], ["type": "send_email", "templateId": Identifier.make("etpl"),
                                                         "condition": ["match": "any", "tagIds": [Self.business]]])
            try await w.automation(pipeline, stages[0], ["type": "update_account_tags", "tags": ["add": [Self.business]]])
            // Runs: the tag the previous automation added is there now.
            try await w.automation(pipeline, stages[0], ["type": "send_message", "templateId": Identifier.make("ctpl"), "mode": "new_thread",
                                                         "condition": ["match": "all", "tagIds": [Self.business]]])
            try await w.automation(pipeline, stages[0], ["type": "update_job_assignees", "members": ["add": [extra]]])
            try await w.automation(pipeline, stages[0], ["type": "update_account_access", "members": ["add": [extra]]])
            let job = try await w.newJob(pipeline)
            let id = try #require(job["id"] as? String)
            let runs = try await w.settled(id, count: 6)
            #expect(runs.map { $0["status"] as? String } == ["succeeded", "skipped", "succeeded", "succeeded", "succeeded", "succeeded"])
            #expect((runs[1]["outcome"] as? String)?.contains("do not meet") == true)
            let entry = try #require(job["entryId"] as? String)
            let operations = downstream.calls.filter { $0.operation != "tags" && $0.operation != "thread" }
            #expect(operations.map(\.operation) == ["applyFolderTemplate", "updateTags", "sendMessage", "updateAccess"])
            #expect(operations.allSatisfy { $0.key.hasPrefix("automation:\(entry):aut_") })
            #expect(Set(operations.map(\.key)).count == operations.count)
            #expect(downstream.tagsNow("acct_1") == [Self.business])
            let after = try await w.job(id)
            #expect(after["assigneeIds"] as? [String] == [extra])
            let links = try await w.send(.get, "/v1/jobs/\(id)/threads").json["items"] as? [[String: Any]] ?? []
            #expect(links.count == 1 && links.first?["entryId"] as? String == entry)
            #expect((links.first?["linkedBy"] as? [String: Any])?["kind"] as? String == "automove")
        }
    }

    @Test("a call failing for now is retried and shown on the job; one refused for good stops the stage and is announced once",
          arguments: TestEngine.all)
    func failures(engine: TestEngine) async throws {
        let downstream = FakeDownstream(tags: ["acct_1": [], "acct_2": []])
        let clock = ManualJobClock()
        try await PipelineWorld.run(engine, downstream: downstream, clock: clock) { w in
            let (pipeline, stages) = try await w.pipeline([["name": "Intake"], ["name": "Done"]])
            try await w.automation(pipeline, stages[0], ["type": "apply_folder_template", "templateId": Identifier.make("ftpl")])
            try await w.automation(pipeline, stages[0], ["type": "send_email", "templateId": Identifier.make("etpl")])
            downstream.fail("applyFolderTemplate", with: [.unavailable("DocService cannot be reached.")])
            let first = try #require(try await w.newJob(pipeline)["id"] as? String)
            try await eventually("the failure is shown") {
                let runs = try await w.runs(first)
                let failing = try await w.job(first)["failingAutomations"] as? Int
                return runs.first?["status"] as? String == "failing" && failing == 1
            }
            // Another job goes on meanwhile.
            let second = try #require(try await w.newJob(pipeline, account: "acct_2")["id"] as? String)
            #expect(try await w.settled(second, count: 2).allSatisfy { $0["status"] as? String == "succeeded" })
            clock.advance(by: 10 * 60_000)
            let runs = try await w.settled(first, count: 2)
            #expect(runs.map { $0["status"] as? String } == ["succeeded", "succeeded"])
            #expect(runs.first?["attempts"] as? Int == 2)
            #expect(try await w.events(EventTypes.pipelineAutomationFailed).count == 1)

            downstream.fail("applyFolderTemplate", with: [.refused("DocService answered 404 applying the folder template: no such template")])
            let third = try #require(try await w.newJob(pipeline, account: "acct_3")["id"] as? String)
            try await eventually("the refusal is shown") { try await w.runs(third).first?["status"] as? String == "failed" }
            let failed = try await w.events(EventTypes.pipelineAutomationFailed)
            #expect(failed.map { $0["jobId"] as? String } == [first, third])
            // Not retried, and the stage's later automation never runs.
            clock.advance(by: 60 * 60_000)
            try await Task.sleep(for: .milliseconds(200))
            let log = try await w.runs(third)
            #expect(log.count == 1 && (log.first?["error"] as? String)?.contains("no such template") == true)
            #expect(log.first?["attempts"] as? Int == 1)
            // Put right, a person retries: the failed one and the rest run; nothing that succeeded runs again.
            #expect(try await w.send(.post, "/v1/jobs/\(third)/automation-runs/retry", as: "contact").status == 403)
            let (retried, _) = try await w.send(.post, "/v1/jobs/\(third)/automation-runs/retry")
            #expect(retried == 202)
            let after = try await w.settled(third, count: 2)
            #expect(after.map { $0["status"] as? String } == ["succeeded", "succeeded"] && after.first?["attempts"] as? Int == 2)
            #expect(try await w.send(.post, "/v1/jobs/\(third)/automation-runs/retry").status == 409)
            #expect(try await w.send(.post, "/v1/jobs/\(second)/automation-runs/retry").status == 409)
        }
    }
}
