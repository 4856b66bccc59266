import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Testing

/// The pipeline's "send message" automation: a new thread linked to the job, or a reply in the
/// latest thread linked to it; idempotent by key.
@Suite("ChatService: send message for a job")
struct ChatJobMessageTests {
    @Test("new_thread from a template, linked to the job, once per Idempotency-Key; reply_latest replies there", arguments: TestEngine.all)
    func newThenReply(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let service = try await TestConfiguration.serviceToken("pipeline-service", to: .chat)
            let template = try await ChatThreadTemplateTests.template(chat, body: "Your [JOB_NAME] has started.")
            let job = Identifier.make("job")
            let body: [String: Any] = ["accountId": "acct_1", "mode": "new_thread", "templateId": template, "jobName": "2025 Return"]
            let first = try await chat.send(.post, "/v1/jobs/\(job)/messages", body, as: service, idempotencyKey: "evt_1:auto_1")
            let again = try await chat.send(.post, "/v1/jobs/\(job)/messages", body, as: service, idempotencyKey: "evt_1:auto_1")
            #expect(first.status == 201 && first.json["createdThread"] as? Bool == true, "\(first.json)")
            let thread = try #require(first.json["threadId"] as? String)
            #expect(again.json["threadId"] as? String == thread, "a retry with the cause's key starts nothing new")
            let linked = try await chat.send(.get, "/v1/jobs/\(job)/threads").json["items"] as? [[String: Any]] ?? []
            #expect(linked.compactMap { $0["threadId"] as? String } == [thread])
            #expect((try await chat.send(.get, "/v1/threads/\(thread)").json["startedBy"] as? [String: Any])?["kind"] as? String == "service")

            let reply = try await chat.send(.post, "/v1/jobs/\(job)/messages", [
                "accountId": "acct_1", "mode": "reply_latest", "text": "Next step: sign.", "tasks": [["text": "Sign the return"]],
                "reminders": ["daysUntilNext": 2, "count": 1],
            ], as: service, idempotencyKey: "evt_2:auto_2")
            #expect(reply.status == 201 && reply.json["threadId"] as? String == thread && reply.json["createdThread"] as? Bool == false, "\(reply.json)")
            let after = try await chat.send(.get, "/v1/threads/\(thread)").json
            #expect((after["tasks"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.contains("Sign the return") == true)
            #expect((after["reminders"] as? [String: Any])?["daysUntilNext"] as? Int == 2)
            let messages = try await chat.send(.get, "/v1/threads/\(thread)/messages").json["items"] as? [[String: Any]] ?? []
            #expect(messages.contains { $0["text"] as? String == "Next step: sign." })
        }
    }

    @Test("reply_latest without a linked thread starts one; refusals")
    func fallbackAndRefusals() async throws {
        try await ChatWorld.run { chat in
            let job = Identifier.make("job")
            let started = try await chat.send(.post, "/v1/jobs/\(job)/messages",
                                              ["accountId": "acct_1", "mode": "reply_latest", "subject": "Kick-off", "text": "Hello"])
            #expect(started.status == 201 && started.json["createdThread"] as? Bool == true, "\(started.json)")
            #expect(try await chat.send(.post, "/v1/jobs/\(job)/messages", ["accountId": "acct_1", "mode": "new_thread", "text": "x"],
                                        as: chat.contact).status == 403)
            #expect(try await chat.send(.post, "/v1/jobs/not-a-job/messages", ["accountId": "acct_1", "mode": "new_thread", "subject": "S", "text": "x"]).status == 400)
            #expect(try await chat.send(.post, "/v1/jobs/\(job)/messages", ["accountId": "acct_1", "mode": "new_thread", "text": "no subject"]).status == 400)
            #expect(try await chat.send(.post, "/v1/jobs/\(job)/messages", ["accountId": "acct_2", "mode": "new_thread", "subject": "S", "text": "x"],
                                        as: chat.assigned).status == 404)
        }
    }
}
