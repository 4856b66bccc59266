import AccountService
import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PipelineService
import Testing

/// What PipelineService keeps of a thread's client tasks for automove: the newest summary wins,
/// whatever order ChatService's events arrive in, however often.
@Suite("PipelineService: thread task summaries by version")
struct PipelineThreadStateTests {
    @Test("completed, reopened and completed again follow taskVersion; late and repeated events change nothing", arguments: TestEngine.all)
    func versions(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await PipelineService.buildApplication(try TestConfiguration.make(.pipeline, storage: storage))
            let key = try #require(WebhookSecret.key(of: try await InboundSecrets.read(storage, service: .pipeline, subscription: "pipeline-service.chat")))
            let owner = "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .member, subject: "mem_test", firmID: "firm_test", role: .owner)))
            let thread = Identifier.make("thr")
            try await app.test(.router) { client in
                func deliver(_ type: String, version: Int, done: Int, id: String = Identifier.make("msg")) async throws {
                    let data: [String: Any] = ["threadId": thread, "firmId": "firm_test", "accountId": "acct_1", "completedTasks": done, "totalTasks": 3,
                                               "taskVersion": version, "jobIds": [String](), "completedAt": "2026-11-24T05:00:00Z"]
                    let body = try JSONSerialization.data(withJSONObject: ["type": type, "timestamp": "2026-11-24T05:00:00Z", "data": data])
                    let timestamp = Int(Date().timeIntervalSince1970)
                    let headers: HTTPFields = [
                        .contentType: "application/json", HTTPField.Name("webhook-id")!: id, HTTPField.Name("webhook-timestamp")!: "\(timestamp)",
                        HTTPField.Name("webhook-signature")!: WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: body),
                    ]
                    let status = try await client.execute(uri: "/v1/inbound/chat-events", method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
                        $0.status
                    }
                    #expect(status == .noContent)
                }
                func state() async throws -> [String: Any] {
                    try await client.execute(uri: "/v1/chat-threads/\(thread)", method: .get, headers: .bearer(owner)) { try JSON.object($0.body) }
                }
                try await deliver(EventTypes.chatThreadTasksCompleted, version: 3, done: 3)
                var now = try await state()
                #expect(now["complete"] as? Bool == true && now["taskVersion"] as? Int == 3 && now["tasksCompletedEvents"] as? Int == 1)
                try await deliver(EventTypes.chatThreadTasksReopened, version: 4, done: 2)
                now = try await state()
                #expect(now["complete"] as? Bool == false && now["taskVersion"] as? Int == 4 && now["completedTasks"] as? Int == 2)
                // The completion of version 3 again (another delivery) and a late one: older than what is kept.
                try await deliver(EventTypes.chatThreadTasksCompleted, version: 3, done: 3)
                try await deliver(EventTypes.chatThreadTasksCompleted, version: 2, done: 3)
                now = try await state()
                #expect(now["complete"] as? Bool == false && now["taskVersion"] as? Int == 4 && now["tasksCompletedEvents"] as? Int == 1)
                try await deliver(EventTypes.chatThreadTasksCompleted, version: 6, done: 3)
                // A reopening that happened before that completion arrives after it: ignored.
                try await deliver(EventTypes.chatThreadTasksReopened, version: 5, done: 2)
                now = try await state()
                #expect(now["complete"] as? Bool == true && now["taskVersion"] as? Int == 6 && now["tasksCompletedEvents"] as? Int == 2)
            }
        }
    }
}
