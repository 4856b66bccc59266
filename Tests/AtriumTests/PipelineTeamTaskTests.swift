import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import SQLKit
@testable import PipelineService
import Testing

/// Team tasks from "create task": assigned, linked to a job and its stage entry, done and reopened
/// by team members who may see the account; only those whose template says so hold automove.
@Suite("PipelineService: team tasks")
struct PipelineTeamTaskTests {
    @Test("complete and reopen by the team who may see the account; events; refusals", arguments: TestEngine.all)
    func lifecycle(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let template = try await w.template("task", ["title": "Review", "description": "Check the figures", "dueInDays": 2, "blocksAutomove": true])
            let made = try await w.make(template, assignees: ["mem_asg", "mem_test", "mem_asg"])
            guard case .task(let record) = made else { Issue.record("a task template makes a team task"); return }
            #expect(record.id.hasPrefix("ttk_") && record.assignees == ["mem_asg", "mem_test"])
            #expect(record.dueAt == record.createdAt + 2 * 86_400_000)

            let (listed, list) = try await w.send(.get, "/v1/jobs/job_1/tasks", as: "assigned")
            let tasks = list["items"] as? [[String: Any]] ?? []
            #expect(listed == 200 && tasks.count == 1 && tasks.first?["status"] as? String == "open" && tasks.first?["blocksAutomove"] as? Bool == true)
            #expect(tasks.first?["assigneeIds"] as? [String] == ["mem_asg", "mem_test"] && tasks.first?["dueAt"] != nil)
            #expect(try await w.send(.get, "/v1/jobs/job_1/tasks", as: "contact").status == 403)
            #expect((try await w.send(.get, "/v1/jobs/job_1/items", as: "owner").json["items"] as? [Any])?.isEmpty == true, "a job known by its task")
            #expect(try await w.send(.get, "/v1/jobs/job_1/tasks", as: "unassigned").status == 404)
            #expect(try await w.send(.get, "/v1/jobs/job_1/tasks", as: "stranger").status == 404)

            let complete = "/v1/tasks/\(record.id)/complete", reopen = "/v1/tasks/\(record.id)/reopen"
            #expect(try await w.send(.post, complete, as: "contact").status == 403)
            #expect(try await w.send(.post, complete, as: "unassigned").status == 404)
            #expect(try await w.send(.post, complete, as: "stranger").status == 404)
            #expect(try await w.send(.post, "/v1/tasks/ttk_missing/complete", as: "owner").status == 404)
            #expect(try await w.send(.post, reopen, as: "owner").status == 409, "an open task is not reopened")
            let (done, task) = try await w.send(.post, complete, as: "assigned")
            #expect(done == 200 && task["status"] as? String == "done" && task["completedBy"] as? String == "mem_asg" && task["completedAt"] != nil)
            #expect(try await w.send(.post, complete, as: "owner").status == 409)
            let (reopened, again) = try await w.send(.post, reopen, as: "owner")
            #expect(reopened == 200 && again["status"] as? String == "open" && again["completedAt"] == nil)
            #expect(try await w.events() == [EventTypes.pipelineTaskCompleted, EventTypes.pipelineTaskReopened])
        }
    }

    @Test("the runner's calls: create once per key, blocking items, pending counts, carry, cancel and unlink", arguments: TestEngine.all)
    func store(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let invoice = try await w.template("invoice", ItemWorld.invoice)
            let organizer = try await w.template("organizer", ItemWorld.organizer)
            let blockingTask = try await w.template("task", ["title": "Sign off", "blocksAutomove": true])
            let plainTask = try await w.template("task", ["title": "Note it"])

            // One item per key, whatever is asked the second time.
            let first = try await w.make(invoice, key: "job_1:ent_1:auto_1")
            #expect(try await w.make(invoice, key: "job_1:ent_1:auto_1") == first)
            #expect(try await w.make(organizer, key: "job_1:ent_1:auto_1") == first)
            let organizerItem = try await w.make(organizer, key: "job_1:ent_1:auto_2")
            let blocker = try await w.make(blockingTask, key: "job_1:ent_1:auto_3")
            try await w.make(plainTask, key: "job_1:ent_1:auto_4")
            try await w.make(invoice, job: "job_2", entry: "ent_9", key: "job_2:ent_9:auto_1")
            let rows = try await w.database.sql.raw("SELECT COUNT(*) AS n FROM client_items").first()?.decode(column: "n", as: Int.self)
            #expect(rows == 3)

            // Another firm's template, or one of another kind than asked, makes nothing.
            let store = w.store
            let outbox = Outbox(database: w.database, signal: OutboxSignal())
            await #expect(throws: PipelineError.itemTemplateNotFound(invoice)) {
                try await outbox.transaction { tx in
                    try await store.create(template: invoice, job: JobRef(jobID: "job_x", entryID: "e", firmID: "firm_other", accountID: "acct_other"),
                                           key: "other-firm", on: tx)
                }
            }
            await #expect(throws: PipelineError.self) {
                try await outbox.transaction { tx in
                    try await store.create(template: invoice, kind: .proposal, job: JobRef(jobID: "job_1", entryID: "ent_1", firmID: "firm_test",
                                                                                          accountID: "acct_1"), key: "wrong-kind", on: tx)
                }
            }

            let blocking = try await store.blocking(jobID: "job_1", entryID: "ent_1", on: w.database.sql)
            #expect(Set(blocking.map(\.id)) == [first.id, organizerItem.id, blocker.id], "the plain task blocks nothing")
            let counts = try await store.pendingCounts(jobIDs: ["job_1", "job_2", "job_3"], on: w.database.sql)
            #expect(counts["job_1"] == PendingCounts(invoices: 1, organizers: 1, proposals: 0, tasks: 2) && counts["job_2"]?.total == 1 && counts["job_3"] == nil)

            // Done items stop blocking.
            #expect(try await w.send(.post, "/v1/items/\(first.id)/payments", ["amountMinor": 55_000, "method": "cash"], as: "owner").status == 201)
            #expect(try await w.send(.post, "/v1/tasks/\(blocker.id)/complete", as: "owner").status == 200)
            #expect(try await store.blocking(jobID: "job_1", entryID: "ent_1", on: w.database.sql).map(\.id) == [organizerItem.id])

            // Moved by hand: carried to the next entry, or cancelled, or unlinked.
            #expect(try await outbox.transaction { tx in try await store.carry(jobID: "job_1", fromEntry: "ent_1", toEntry: "ent_2", on: tx) } == 2)
            #expect(try await store.blocking(jobID: "job_1", entryID: "ent_1", on: w.database.sql).isEmpty)
            #expect(try await store.blocking(jobID: "job_1", entryID: "ent_2", on: w.database.sql).map(\.id) == [organizerItem.id])
            #expect(try await w.send(.get, "/v1/items/\(organizerItem.id)", as: "owner").json["entryId"] as? String == "ent_2")
            #expect(try await outbox.transaction { tx in try await store.unlinkOpen(jobID: "job_2", entryID: "ent_9", on: tx) } == 1)
            #expect(try await store.pendingCounts(jobIDs: ["job_2"], on: w.database.sql).isEmpty)
            #expect(try await outbox.transaction { tx in try await store.cancelOpen(jobID: "job_1", entryID: "ent_2", by: "mem_test", on: tx) } == 2)
            #expect(try await w.send(.get, "/v1/items/\(organizerItem.id)", as: "owner").json["status"] as? String == "cancelled")
            #expect(try await store.pendingCounts(jobIDs: ["job_1"], on: w.database.sql).isEmpty)
            let plain = try #require(try await store.tasks(job: "job_1", on: w.database.sql).first { $0.title == "Note it" })
            #expect(plain.taskStatus == .cancelled)
            #expect(try await w.send(.post, "/v1/tasks/\(plain.id)/complete", as: "owner").status == 409)
            #expect(try await w.events() == [EventTypes.pipelineItemCompleted, EventTypes.pipelineTaskCompleted, EventTypes.pipelineItemCancelled])
        }
    }
}
