import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Synchronization
import Testing

/// PipelineService killed while jobs are being created and their stage's automations run: after
/// the restart and the clients' retries with their keys, every job exists once and every
/// automation did its work once — one thread with one message per job in ChatService, one e-mail
/// per job in NotifyService, one team task per job.
@Suite("PipelineService killed mid-run (real processes)")
struct PipelineKillTests {
    @Test("killed while 40 jobs are created and run five automations each: nothing lost, nothing twice", arguments: TestEngine.all)
    func killedMidRuns(engine: TestEngine) async throws {
        let settings = ["ATRIUM_PIPELINE_AUTOMATION_LEASE_SECONDS": "2", "ATRIUM_IDEMPOTENCY_LEASE_SECONDS": "2"]
        try await IntegrationHarness.with(engine, settings: settings) { cluster in
            let firm = try await ChatIntegrationTests.Firm.make(cluster)
            let pipeline = ServiceHTTP(base: cluster.url(.pipeline), token: firm.owner)
            let accounts = ServiceHTTP(base: cluster.url(.account), token: firm.owner)
            let tag = try #require(try await accounts.send(.POST, "/v1/tags", json: ["name": "Started"]).json["id"] as? String)
            let chatTemplate = try #require(try await firm.chat.send(.POST, "/v1/chat-templates", json: [
                "name": "Kick-off", "subject": "[JOB_NAME]", "body": "We have started.", "tasks": [["text": "Say hello"]],
            ]).json["id"] as? String)
            let emailTemplate = try #require(try await ServiceHTTP(base: cluster.url(.notify), token: firm.owner).send(.POST, "/v1/email-templates", json: [
                "name": "Kick-off", "subject": "Kill test: [JOB_NAME]", "body": "Started.",
            ]).json["id"] as? String)
            let taskTemplate = try #require(try await pipeline.send(.POST, "/v1/item-templates", json: [
                "kind": "task", "name": "Prepare", "task": ["title": "Prepare"],
            ]).json["id"] as? String)
            let made = try await pipeline.send(.POST, "/v1/pipelines", json: ["name": "Kill", "stages": [["name": "Start"], ["name": "End"]]])
            let pipelineID = try #require(made.json["id"] as? String)
            let stage = try #require((made.json["stages"] as? [[String: Any]])?.first?["id"] as? String)
            for automation in [
                ["type": "send_message", "templateId": chatTemplate, "mode": "new_thread"],
                ["type": "update_account_tags", "tags": ["add": [tag]]],
                ["type": "send_email", "templateId": emailTemplate],
                ["type": "create_task", "templateId": taskTemplate],
                ["type": "send_message", "templateId": chatTemplate, "mode": "reply_latest"],
            ] as [[String: Any]] {
                #expect(try await pipeline.send(.POST, "/v1/pipelines/\(pipelineID)/stages/\(stage)/automations", json: automation).status == 201)
            }
            let count = 40
            let create = { @Sendable (index: Int) async throws -> String? in
                let answer = try? await pipeline.send(.POST, "/v1/jobs", json: ["accountId": firm.account, "pipelineId": pipelineID, "name": "Job \(index)"],
                                                      headers: [("Idempotency-Key", "kill-job-\(index)")])
                return answer?.status == 201 ? answer?.json["id"] as? String : nil
            }
            let created = Tally()
            let creating = Task {
                await withTaskGroup(of: Void.self) { group in
                    for index in 0..<count {
                        group.addTask { if (try? await create(index)).flatMap({ $0 }) != nil { created.count.add(1, ordering: .relaxed) } }
                    }
                }
            }
            try await eventually("some jobs to be created") { created.count.load(ordering: .relaxed) >= 10 }
            let process = try #require(cluster.processes[.pipeline])
            process.signal(SIGKILL)
            #expect(await process.waitForExit(timeout: ServiceProcess.killWait))
            await creating.value
            try process.start()
            try await cluster.waitUntilReady(timeout: IntegrationHarness.startTimeout)
            // Each client retries with its key until it is answered.
            var jobs: [String] = []
            for index in 0..<count {
                var id: String?
                try await eventually("job \(index) to be answered") {
                    id = try await create(index)
                    return id != nil
                }
                jobs.append(try #require(id))
            }
            #expect(Set(jobs).count == count)
            let listed = try await pipeline.send(.GET, "/v1/jobs?accountId=\(firm.account)").json["items"] as? [[String: Any]] ?? []
            #expect(listed.count == count, "each job exists once")
            for job in jobs {
                try await eventually(timeout: .seconds(120), "the automations of \(job)") {
                    let runs = try await pipeline.send(.GET, "/v1/jobs/\(job)/automation-runs").json["items"] as? [[String: Any]] ?? []
                    let failed = runs.filter { $0["status"] as? String == "failed" }
                    #expect(failed.isEmpty, "an automation failed for good: \(failed)")
                    return !failed.isEmpty || runs.count == 5 && runs.allSatisfy { $0["status"] as? String == "succeeded" }
                }
                let threads = try await firm.chat.send(.GET, "/v1/jobs/\(job)/threads").json["items"] as? [[String: Any]] ?? []
                #expect(threads.count == 1, "one thread for \(job)")
                let thread = try #require(threads.first?["threadId"] as? String)
                let messages = try await ChatCluster.messages(firm.chat, thread: thread)
                let posted = messages.filter { $0["text"] as? String == "We have started." }
                #expect(posted.count == 2, "the new thread's message and one reply for \(job): \(posted.count)")
                #expect(ChatCluster.taskIDs(try await firm.chat.send(.GET, "/v1/threads/\(thread)").json).count == 2)
                let tasks = try await pipeline.send(.GET, "/v1/jobs/\(job)/tasks").json["items"] as? [[String: Any]] ?? []
                #expect(tasks.count == 1, "one team task for \(job)")
            }
            var subjects: [String] = []
            var cursor: String?
            let notify = ServiceHTTP(base: cluster.url(.notify), token: firm.owner)
            repeat {
                let page = try await notify.send(.GET, "/v1/emails?limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")).json
                subjects += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            let kickoffs = subjects.filter { $0.hasPrefix("Kill test: ") }
            #expect(kickoffs.count == count && Set(kickoffs).count == count, "one e-mail per job: \(kickoffs.count)")
        }
    }
}
