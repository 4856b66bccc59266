import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// The headline (SPEC "Automove") over the five real processes: a job's first stage sends the
/// client a thread with tasks; only the last check moves the job; the next stage replies in the
/// same thread with new tasks, tags the account and e-mails business clients only; a business-only
/// stage is skipped for an untagged account. Then the same with ChatService killed after the last
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
            let reviewed = try #require(try await accounts.send(.POST, "/v1/tags", json: ["name": "Reviewed"]).json["id"] as? String)
            #expect(try await accounts.send(.POST, "/v1/accounts/\(firm.account)/tags", json: ["add": [business]]).status == 200)
            let chat = firm.chat
            let kickoff = try #require(try await chat.send(.POST, "/v1/chat-templates", json: [
                "name": "Documents", "subject": "[JOB_NAME]: your documents", "body": "Please send us these.",
                "tasks": [["text": "Upload your P60"], ["text": "Upload bank statements"], ["text": "Confirm your address"]],
            ]).json["id"] as? String)
            let followUp = try #require(try await chat.send(.POST, "/v1/chat-templates", json: [
                "name": "Review", "subject": "[JOB_NAME]: review", "body": "Your return is drafted.", "tasks": [["text": "Read the draft"], ["text": "Approve it"]],
            ]).json["id"] as? String)
            let email = try #require(try await ServiceHTTP(base: cluster.url(.notify), token: firm.owner).send(.POST, "/v1/email-templates", json: [
                "name": "Business review", "subject": "[ACCOUNT_NAME]: business review", "body": "We will review your business accounts.",
            ]).json["id"] as? String)
            let pipelineHTTP = ServiceHTTP(base: cluster.url(.pipeline), token: firm.owner)
            let made = try await pipelineHTTP.send(.POST, "/v1/pipelines", json: ["name": "Personal tax", "stages": [
                ["name": "Documents", "automove": true], ["name": "Preparation", "automove": true],
                ["name": "Business review", "condition": ["match": "any", "tagIds": [business]]], ["name": "Filed"],
            ]])
            #expect(made.status == 201, "\(made.json)")
            let pipeline = try #require(made.json["id"] as? String)
            let stages = (made.json["stages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            for (stage, automation) in [
                (stages[0], ["type": "send_message", "templateId": kickoff, "mode": "new_thread"]),
                (stages[1], ["type": "send_message", "templateId": followUp, "mode": "reply_latest"]),
                (stages[1], ["type": "update_account_tags", "tags": ["add": [reviewed]]]),
                (stages[1], ["type": "send_email", "templateId": email, "condition": ["match": "all", "tagIds": [business, reviewed]]]),
            ] as [(String, [String: Any])] {
                let added = try await pipelineHTTP.send(.POST, "/v1/pipelines/\(pipeline)/stages/\(stage)/automations", json: automation)
                #expect(added.status == 201, "\(added.json)")
            }
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

        func check(_ thread: String, _ task: String, as contact: String, _ cluster: Cluster) async throws {
            let checked = try await ServiceHTTP(base: cluster.url(.chat), token: contact).send(.PATCH, "/v1/threads/\(thread)/tasks/\(task)", json: ["done": true])
            #expect(checked.status == 200, "\(checked.json)")
        }
    }

    @Test("checks move the job only after the last one; stage two replies, tags and e-mails the tagged account; a conditional stage is skipped",
          arguments: TestEngine.all)
    func headline(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let w = try await World.make(cluster)
            for (account, contact) in [w.tagged, w.untagged] {
                let job = try await w.job(account)
                _ = try await w.runs(job, count: 1)
                let (thread, open) = try await w.thread(job)
                #expect(open.count == 3)
                for task in open.dropLast() {
                    try await w.check(thread, task, as: contact, cluster)
                    #expect(try await w.stage(of: job) == w.stages[0], "no move before the last check")
                }
                try await w.check(thread, try #require(open.last), as: contact, cluster)
                try await eventually("the job to reach Preparation") { try await w.stage(of: job) == w.stages[1] }
                let runs = try await w.runs(job, count: 3)
                let isTagged = account == w.tagged.account
                #expect(runs.map { $0["status"] as? String } == ["succeeded", "succeeded", isTagged ? "succeeded" : "skipped"])
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
            _ = try await w.runs(job, count: 1)
            let (thread, open) = try await w.thread(job)
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
            let runs = try await w.runs(job, count: 3)
            #expect(runs.allSatisfy { $0["attempts"] as? Int == 1 }, "\(runs)")
            let (_, newTasks) = try await w.thread(job)
            #expect(newTasks.count == 2, "one reply's tasks, not two")
            let messages = try await ChatCluster.messages(w.chat, thread: thread)
            #expect(messages.filter { ($0["text"] as? String)?.contains("Your return is drafted.") == true }.count == 1)
            #expect(try await w.history(job).count == 2, "moved exactly once")
        }
    }
}
