import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
@testable import PipelineService
import Testing

/// Jobs and boards (SPEC "Pipelines"): a job enters the first stage its account's tags admit;
/// who may see a job follows who may see its account; the board pages each stage.
@Suite("PipelineService: jobs and boards")
struct PipelineJobTests {
    static let business = Identifier.make("tag")

    @Test("a job enters the first stage that admits its account; fields are checked; complete, archive and reopen announce themselves",
          arguments: TestEngine.all)
    func lifecycle(engine: TestEngine) async throws {
        let downstream = FakeDownstream(tags: ["acct_1": [], "acct_2": [Self.business]])
        try await PipelineWorld.run(engine, downstream: downstream) { w in
            let (pipeline, stages) = try await w.pipeline([
                ["name": "Business intake", "condition": ["match": "any", "tagIds": [Self.business]]], ["name": "Intake"], ["name": "Done"],
            ])
            let assignee = Identifier.make("mem")
            let personal = try await w.newJob(pipeline, extra: ["assigneeIds": [assignee], "priority": "high", "startDate": "2026-01-10",
                                                             "dueDate": "2026-04-15"])
            #expect(personal["stageId"] as? String == stages[1])
            #expect(personal["assigneeIds"] as? [String] == [assignee] && personal["priority"] as? String == "high")
            #expect(personal["overdue"] as? Bool == true)
            let id = try #require(personal["id"] as? String)
            let history = try await w.send(.get, "/v1/jobs/\(id)/history").json["items"] as? [[String: Any]] ?? []
            #expect(history.first?["skippedStageIds"] as? [String] == [stages[0]])
            let business = try await w.newJob(pipeline, account: "acct_2")
            #expect(business["stageId"] as? String == stages[0])

            let (patched, changed) = try await w.send(.patch, "/v1/jobs/\(id)", ["name": "2026 personal return", "clearDueDate": true, "priority": "low"])
            #expect(patched == 200 && changed["name"] as? String == "2026 personal return" && changed["dueDate"] == nil)
            #expect(changed["overdue"] as? Bool == false)
            for (body, mentions) in [
                (["dueDate": "2026-02-30"], "not a day"), (["dueDate": "15/04/2026"], "YYYY-MM-DD"), (["dueDate": "2025-01-01"], "before startDate"),
                (["assigneeIds": ["bob"]], "not a team member id"), (["assigneeIds": [assignee, assignee]], "twice"), (["name": " "], "name"),
                (["dueDate": "2026-05-01", "clearDueDate": true], "not both"),
            ] as [([String: Any], String)] {
                let (status, problem) = try await w.send(.patch, "/v1/jobs/\(id)", body)
                #expect(status == 400, "\(body)")
                #expect((problem["detail"] as? String)?.contains(mentions) == true, "\(problem)")
            }
            #expect(try await w.send(.post, "/v1/jobs", ["accountId": "acct_1", "pipelineId": Identifier.make("pl"), "name": "x"]).status == 404)
            #expect(try await w.send(.post, "/v1/jobs", ["accountId": "acct_other", "pipelineId": pipeline, "name": "x"]).status == 400)
            #expect(try await w.send(.post, "/v1/jobs", ["accountId": "acct_1", "pipelineId": pipeline, "name": "x"], as: "contact").status == 403)
            #expect(try await w.send(.post, "/v1/jobs", ["accountId": "acct_1", "pipelineId": pipeline, "name": "x"], as: "unassigned").status == 400)
            #expect(try await w.send(.get, "/v1/jobs/\(id)", as: "unassigned").status == 404)
            #expect(try await w.send(.get, "/v1/jobs/\(id)", as: "assigned").status == 200)
            #expect(try await w.send(.get, "/v1/jobs/\(id)", as: "stranger").status == 404)
            #expect(try await w.send(.get, "/v1/jobs/\(id)", as: "contact").status == 403)

            #expect(try await w.send(.put, "/v1/jobs/\(id)/status", ["status": "completed"]).json["status"] as? String == "completed")
            #expect(try await w.send(.put, "/v1/jobs/\(id)/status", ["status": "completed"]).status == 200)
            #expect(try await w.send(.post, "/v1/jobs/\(id)/move", ["stageId": stages[2]]).status == 409)
            #expect(try await w.send(.put, "/v1/jobs/\(id)/status", ["status": "archived"]).status == 200)
            #expect(try await w.send(.put, "/v1/jobs/\(id)/status", ["status": "active"]).status == 200)
            #expect(try await w.events(EventTypes.pipelineJobCompleted).count == 1)
            #expect(try await w.events(EventTypes.pipelineJobArchived).first?["jobId"] as? String == id)
            let listed = try await w.send(.get, "/v1/jobs?accountId=acct_1").json["items"] as? [[String: Any]] ?? []
            #expect(listed.compactMap { $0["id"] as? String } == [id])

            // A stage holding jobs goes only with somewhere for them; a pipeline holding jobs not at all.
            #expect(try await w.send(.delete, "/v1/pipelines/\(pipeline)/stages/\(stages[1])").status == 409)
            let (removed, after) = try await w.send(.delete, "/v1/pipelines/\(pipeline)/stages/\(stages[1])?moveJobsTo=\(stages[2])")
            #expect(removed == 200 && (after["stages"] as? [Any])?.count == 2)
            #expect(try await w.job(id)["stageId"] as? String == stages[2])
            #expect(try await w.send(.delete, "/v1/pipelines/\(pipeline)").status == 409)
        }
    }

    @Test("a job moved by hand to another pipeline enters the stage named, runs its automations and says so in its history", arguments: TestEngine.all)
    func anotherPipeline(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (first, firstStages) = try await w.pipeline([["name": "Intake"], ["name": "Done"]])
            let (second, secondStages) = try await w.pipeline([["name": "Bookkeeping"], ["name": "Closed"]])
            try await w.automation(second, secondStages[1], ["type": "apply_folder_template", "templateId": Identifier.make("ftpl")])
            let job = try #require(try await w.newJob(first)["id"] as? String)
            // A stage that is not the named pipeline's, and another firm's pipeline, are refused.
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["pipelineId": second, "stageId": firstStages[1]]).status == 404)
            let (foreign, theirs) = try await w.send(.post, "/v1/pipelines", ["name": "Theirs", "stages": [["name": "X"]]], as: "stranger")
            #expect(foreign == 201)
            let theirStage = try #require((theirs["stages"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["pipelineId": theirs["id"] as? String ?? "", "stageId": theirStage]).status == 404)
            let (moved, json) = try await w.send(.post, "/v1/jobs/\(job)/move", ["pipelineId": second, "stageId": secondStages[1]])
            #expect(moved == 200 && json["pipelineId"] as? String == second && json["stageId"] as? String == secondStages[1], "\(json)")
            let runs = try await w.settled(job, count: 1)
            #expect(runs.first?["status"] as? String == "succeeded")
            let history = try await w.send(.get, "/v1/jobs/\(job)/history").json["items"] as? [[String: Any]] ?? []
            #expect(history.map { $0["pipelineId"] as? String } == [first, second])
            let event = try #require(try await w.events(EventTypes.pipelineJobMoved).last)
            #expect(event["fromPipelineId"] as? String == first && event["toPipelineId"] as? String == second)
            // The boards follow: the first pipeline has no job left, the second has it in Closed.
            let counts = { (pipeline: String) in
                ((try await w.send(.get, "/v1/pipelines/\(pipeline)/board").json["stages"] as? [[String: Any]]) ?? []).compactMap { $0["count"] as? Int }
            }
            let (firstCounts, secondCounts) = (try await counts(first), try await counts(second))
            #expect(firstCounts == [0, 0] && secondCounts == [0, 1])
        }
    }

    @Test("the board pages each stage in arrival order with counts, and filters by assignee, account and overdue", arguments: TestEngine.all)
    func board(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (pipeline, stages) = try await w.pipeline([["name": "Intake"], ["name": "Done"]])
            let alice = Identifier.make("mem")
            var ids: [String] = []
            for index in 0..<7 {
                let account = index < 5 ? "acct_1" : "acct_2"
                var extra: [String: Any] = index.isMultiple(of: 2) ? ["assigneeIds": [alice]] : [:]
                if index == 3 { extra["dueDate"] = "2020-01-01" }
                ids.append(try #require(try await w.newJob(pipeline, account: account, name: "Job \(index)", extra: extra)["id"] as? String))
            }
            #expect(try await w.send(.post, "/v1/jobs/\(ids[6])/move", ["stageId": stages[1]]).status == 200)
            let (status, board) = try await w.send(.get, "/v1/pipelines/\(pipeline)/board?limit=4")
            #expect(status == 200)
            let columns = try #require(board["stages"] as? [[String: Any]])
            #expect(columns.map { $0["count"] as? Int } == [6, 1])
            let first = (columns[0]["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(first == Array(ids.prefix(4)))
            let cursor = try #require(columns[0]["nextCursor"] as? String)
            let next = try await w.send(.get, "/v1/pipelines/\(pipeline)/board?limit=4&stageId=\(stages[0])&cursor=\(cursor)").json
            let rest = ((next["stages"] as? [[String: Any]])?.first?["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(rest == [ids[4], ids[5]])
            #expect((next["stages"] as? [[String: Any]])?.first?["nextCursor"] == nil)

            func counts(_ query: String, as who: String = "owner") async throws -> [Int] {
                let json = try await w.send(.get, "/v1/pipelines/\(pipeline)/board?\(query)", as: who).json
                return (json["stages"] as? [[String: Any]] ?? []).compactMap { $0["count"] as? Int }
            }
            #expect(try await counts("assigneeId=\(alice)") == [3, 1])
            #expect(try await counts("accountId=acct_2") == [1, 1])
            #expect(try await counts("overdue=true") == [1, 0])
            // A member sees the jobs of the accounts they may see: mem_asg is assigned to acct_1 only.
            #expect(try await counts("", as: "assigned") == [5, 0])
            #expect(try await counts("", as: "unassigned") == [0, 0])
            #expect(try await w.send(.get, "/v1/pipelines/\(pipeline)/board", as: "contact").status == 403)
            #expect(try await w.send(.get, "/v1/pipelines/\(pipeline)/board", as: "stranger").status == 404)
            #expect(try await w.send(.get, "/v1/pipelines/\(pipeline)/board?cursor=\(cursor)").status == 400)
            #expect(try await w.send(.get, "/v1/pipelines/\(pipeline)/board?stageId=\(stages[0])&cursor=garbage").status == 400)
            #expect(try await w.send(.get, "/v1/pipelines/\(pipeline)/board?limit=0").status == 400)
        }
    }
}
