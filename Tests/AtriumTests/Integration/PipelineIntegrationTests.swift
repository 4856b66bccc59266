import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// The headline (SPEC "Automove") over the five real processes: a personal-tax pipeline imported
/// from a marketplace document; a job's first stage sends the client a thread with three tasks and
/// an organizer; only the last of them moves the job; the next stage replies in the same thread
/// with new tasks, makes a team task, tags the account and e-mails business clients only; a
/// business-only stage is skipped for an untagged account. Then the same with ChatService killed after the last
/// check and before its event reached PipelineService: the job moves once, nothing runs twice.
@Suite("PipelineService automove (real processes)")
struct PipelineIntegrationTests {
    /// A firm with a tagged and an untagged account, their contacts, the templates and the pipeline.
    struct World {
        let owner: String
        let tagged: (account: String, contact: String)
        let untagged: (account: String, contact: String)
        let business: String
        let reviewed: String
        let pipeline: String
        let stages: [String]
        let pipelineHTTP: ServiceHTTP
        let chat: ServiceHTTP

        static func make(_ cluster: Cluster) async throws -> World {
            let firm = try await ChatIntegrationTests.Firm.make(cluster)
            let other = try await ChatCluster.otherAccount(cluster, owner: firm.owner)
            let accounts = ServiceHTTP(base: cluster.url(.account), token: firm.owner)
            let business = try #require(try await accounts.send(.POST, "/v1/tags", json: ["name": "Business"]).json["id"] as? String)
            let chat = firm.chat
            // The pipeline, its templates and its tags, imported from a marketplace document.
            let pipelineHTTP = ServiceHTTP(base: cluster.url(.pipeline), token: firm.owner)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(HeadlinePipeline.json.utf8)) as? [String: Any])
            let imported = try await pipelineHTTP.send(.POST, "/v1/pipelines/import", json: ["document": document])
            #expect(imported.status == 201, "\(imported.json)")
            #expect((imported.json["created"] as? [Any])?.count == 5 && (imported.json["warnings"] as? [Any])?.isEmpty == true, "\(imported.json)")
            let made = try #require(imported.json["pipeline"] as? [String: Any])
            let pipeline = try #require(made["id"] as? String)
            let stages = (made["stages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(stages.count == 4)
            let tags = try await accounts.send(.GET, "/v1/tags").json["items"] as? [[String: Any]] ?? []
            let reviewed = try #require(tags.first { $0["name"] as? String == "Reviewed" }?["id"] as? String)
            #expect(try await accounts.send(.POST, "/v1/accounts/\(firm.account)/tags", json: ["add": [business]]).status == 200)
            // Importing again makes no second template or tag.
            let again = try await pipelineHTTP.send(.POST, "/v1/pipelines/import", json: ["document": document, "name": "Personal tax (copy)"])
            #expect(again.status == 201 && (again.json["created"] as? [Any])?.isEmpty == true && (again.json["reused"] as? [Any])?.count == 5,
                    "\(again.json)")
            return World(owner: firm.owner, tagged: (firm.account, firm.contact), untagged: (other.account, other.bearer), business: business,
                         reviewed: reviewed, pipeline: pipeline, stages: stages, pipelineHTTP: pipelineHTTP, chat: chat)
        }

        func job(_ account: String) async throws -> String {
            let made = try await pipelineHTTP.send(.POST, "/v1/jobs", json: ["accountId": account, "pipelineId": pipeline, "name": "2026 Return"])
            #expect(made.status == 201, "\(made.json)")
            return try #require(made.json["id"] as? String)
        }

        func stage(of job: String) async throws -> String? { try await pipelineHTTP.send(.GET, "/v1/jobs/\(job)").json["stageId"] as? String }

        func history(_ job: String) async throws -> [[String: Any]] {
            try await pipelineHTTP.send(.GET, "/v1/jobs/\(job)/history").json["items"] as? [[String: Any]] ?? []
        }

        /// Waits for the stage's automations to finish; their log for the current entry.
        func runs(_ job: String, count: Int) async throws -> [[String: Any]] {
            var runs: [[String: Any]] = []
            try await eventually("\(count) automations of \(job) to finish") {
                let entry = try await pipelineHTTP.send(.GET, "/v1/jobs/\(job)").json["entryId"] as? String
                runs = (try await pipelineHTTP.send(.GET, "/v1/jobs/\(job)/automation-runs").json["items"] as? [[String: Any]] ?? [])
                    .filter { $0["entryId"] as? String == entry }
                return runs.count == count && runs.allSatisfy { ["succeeded", "skipped"].contains($0["status"] as? String ?? "") }
            }
            return runs
        }

        /// The job's one thread and its open tasks' ids.
        func thread(_ job: String) async throws -> (id: String, open: [String]) {
            let links = try await pipelineHTTP.send(.GET, "/v1/jobs/\(job)/threads").json["items"] as? [[String: Any]] ?? []
            #expect(links.count == 1, "\(links)")
            let id = try #require(links.first?["threadId"] as? String)
            let tasks = try await chat.send(.GET, "/v1/threads/\(id)").json["tasks"] as? [[String: Any]] ?? []
            return (id, tasks.filter { $0["done"] as? Bool == false }.compactMap { $0["id"] as? String })
        }

        /// The contact answers and submits the job's organizer.
        func submitOrganizer(_ job: String, as contact: String, _ cluster: Cluster) async throws {
            let items = try await pipelineHTTP.send(.GET, "/v1/jobs/\(job)/items").json["items"] as? [[String: Any]] ?? []
            let organizer = try #require(items.first { $0["kind"] as? String == "organizer" }?["id"] as? String)
            let asContact = ServiceHTTP(base: cluster.url(.pipeline), token: contact)
            let saved = try await asContact.send(.PUT, "/v1/items/\(organizer)/answers", json: ["answers": [["questionId": "income", "value": "48000"]]])
            #expect(saved.status == 200, "\(saved.json)")
            let submitted = try await asContact.send(.POST, "/v1/items/\(organizer)/submit")
            #expect(submitted.status == 200, "\(submitted.json)")
        }

        func teamTasks(_ job: String) async throws -> [[String: Any]] {
            try await pipelineHTTP.send(.GET, "/v1/jobs/\(job)/tasks").json["items"] as? [[String: Any]] ?? []
        }

        func check(_ thread: String, _ task: String, as contact: String, _ cluster: Cluster) async throws {
            let checked = try await ServiceHTTP(base: cluster.url(.chat), token: contact).send(.PATCH, "/v1/threads/\(thread)/tasks/\(task)", json: ["done": true])
            #expect(checked.status == 200, "\(checked.json)")
        }
    }

    @Test("imported from a document: tasks and an organizer move the job only after the last; stage two replies, makes a team task, tags and e-mails the tagged account; a conditional stage is skipped",
          arguments: TestEngine.all)
    func headline(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let w = try await World.make(cluster)
            for (account, contact) in [w.tagged, w.untagged] {
                let job = try await w.job(account)
                _ = try await w.runs(job, count: 2)
                let (thread, open) = try await w.thread(job)
                #expect(open.count == 3)
                for task in open {
                    try await w.check(thread, task, as: contact, cluster)
                    #expect(try await w.stage(of: job) == w.stages[0], "no move while anything is open")
                }
                try await w.submitOrganizer(job, as: contact, cluster)
                try await eventually("the job to reach Preparation") { try await w.stage(of: job) == w.stages[1] }
                let runs = try await w.runs(job, count: 4)
                let isTagged = account == w.tagged.account
                #expect(runs.map { $0["status"] as? String } == ["succeeded", "succeeded", "succeeded", isTagged ? "succeeded" : "skipped"])
                #expect(try await w.teamTasks(job).count == 1, "stage two made one team task")
                let (sameThread, newTasks) = try await w.thread(job)
                #expect(sameThread == thread && newTasks.count == 2, "stage two replied in the same thread with its tasks")
                let tags = try await ServiceHTTP(base: cluster.url(.account), token: w.owner).send(.GET, "/v1/accounts/\(account)/tags").json
                #expect(Set((tags["tags"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }).contains(w.reviewed))
                for task in newTasks { try await w.check(thread, task, as: contact, cluster) }
                let next = isTagged ? w.stages[2] : w.stages[3]
                try await eventually("the job to move past Preparation") { try await w.stage(of: job) == next }
                let history = try await w.history(job)
                #expect(history.map { $0["stageId"] as? String } == [w.stages[0], w.stages[1], next])
                #expect(history.dropFirst().allSatisfy { ($0["movedBy"] as? [String: Any])?["kind"] as? String == "automove" })
                #expect(history.last?["skippedStageIds"] as? [String] == (isTagged ? nil : [w.stages[2]]))
            }
        }
    }

    @Test("ChatService killed after the last check, before PipelineService heard it: after the restart the job moves once and nothing runs twice",
          arguments: TestEngine.all)
    func chatKilledBeforeDelivery(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let w = try await World.make(cluster)
            let job = try await w.job(w.tagged.account)
            _ = try await w.runs(job, count: 2)
            let (thread, open) = try await w.thread(job)
            try await w.submitOrganizer(job, as: w.tagged.contact, cluster)
            for task in open.dropLast() { try await w.check(thread, task, as: w.tagged.contact, cluster) }
            // PipelineService away: the last check's event stays in ChatService's outbox.
            let pipelineProcess = try #require(cluster.processes[.pipeline])
            await pipelineProcess.stop()
            try await w.check(thread, try #require(open.last), as: w.tagged.contact, cluster)
            let chatProcess = try #require(cluster.processes[.chat])
            chatProcess.signal(SIGKILL)
            #expect(await chatProcess.waitForExit(timeout: ServiceProcess.killWait))
            try pipelineProcess.start()
            try chatProcess.start()
            try await cluster.waitUntilReady(timeout: IntegrationHarness.startTimeout)
            // A delivery the killed process held is taken up again when its lease (timeout + 30 s) runs out.
            try await eventually(timeout: .seconds(120), "the job to reach Preparation") { try await w.stage(of: job) == w.stages[1] }
            let runs = try await w.runs(job, count: 4)
            #expect(runs.allSatisfy { $0["attempts"] as? Int == 1 }, "\(runs)")
            #expect(try await w.teamTasks(job).count == 1, "one team task, not two")
            let (_, newTasks) = try await w.thread(job)
            #expect(newTasks.count == 2, "one reply's tasks, not two")
            let messages = try await ChatCluster.messages(w.chat, thread: thread)
            #expect(messages.filter { ($0["text"] as? String)?.contains("Your draft return is ready.") == true }.count == 1)
            #expect(try await w.history(job).count == 2, "moved exactly once")
        }
    }
}
