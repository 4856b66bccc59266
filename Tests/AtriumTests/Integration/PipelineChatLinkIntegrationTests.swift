import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// A thread a person links to a job in ChatService is heard by PipelineService
/// (`chat.thread.job_linked` through the real subscription) and counts for automove.
@Suite("A job link made in ChatService (real processes)")
struct PipelineChatLinkIntegrationTests {
    @Test("linked by hand in ChatService: PipelineService lists it, its tasks hold the stage, the last check moves the job",
          arguments: TestEngine.all)
    func linkedInChat(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let firm = try await ChatIntegrationTests.Firm.make(cluster)
            let pipeline = ServiceHTTP(base: cluster.url(.pipeline), token: firm.owner)
            let made = try await pipeline.send(.POST, "/v1/pipelines", json: [
                "name": "Linked by hand", "stages": [["name": "Documents", "automove": true], ["name": "Filed"]],
            ])
            let stages = (made.json["stages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            let pipelineID = try #require(made.json["id"] as? String)
            let job = try #require(try await pipeline.send(.POST, "/v1/jobs", json: [
                "accountId": firm.account, "pipelineId": pipelineID, "name": "2026 return",
            ]).json["id"] as? String)
            let thread = try await firm.chat.send(.POST, "/v1/threads", json: [
                "accountId": firm.account, "subject": "Papers", "text": "Please", "tasks": [["text": "Upload"], ["text": "Sign"]],
            ]).json
            let threadID = try #require(thread["id"] as? String)
            let tasks = (thread["tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(try await firm.chat.send(.PUT, "/v1/threads/\(threadID)/jobs/\(job)").status == 200)
            try await eventually(timeout: .seconds(30), "PipelineService to hear the link") {
                let links = try await pipeline.send(.GET, "/v1/jobs/\(job)/threads").json["items"] as? [[String: Any]] ?? []
                return links.first?["threadId"] as? String == threadID
            }
            let client = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)
            #expect(try await client.send(.PATCH, "/v1/threads/\(threadID)/tasks/\(tasks[0])", json: ["done": true]).status == 200)
            #expect(try await pipeline.send(.GET, "/v1/jobs/\(job)").json["stageId"] as? String == stages[0], "one task still open")
            #expect(try await client.send(.PATCH, "/v1/threads/\(threadID)/tasks/\(tasks[1])", json: ["done": true]).status == 200)
            try await eventually(timeout: .seconds(30), "the job to move on") {
                try await pipeline.send(.GET, "/v1/jobs/\(job)").json["stageId"] as? String == stages[1]
            }
        }
    }
}
