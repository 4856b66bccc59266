import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Testing

/// Starting a thread from a chat template: shortcodes filled in at send time, tasks and reminders
/// carried over, and refusals when the template asks for what the thread does not have.
@Suite("ChatService: threads from templates")
struct ChatThreadTemplateTests {
    static func template(_ chat: ChatWorld, subject: String = "[ACCOUNT_NAME]: your [LAST_YEAR] return",
                         body: String = "Dear [CONTACT_FIRST_NAME], [FIRM_NAME] needs a few things.") async throws -> String {
        let made = try await chat.send(.post, "/v1/chat-templates", [
            "name": "Year end \(UInt32.random(in: 0...UInt32.max))", "subject": subject, "body": body,
            "tasks": [["text": "Upload bank statements"]], "reminders": ["daysUntilNext": 5, "count": 2],
        ])
        #expect(made.status == 201, "\(made.json)")
        return try #require(made.json["id"] as? String)
    }

    @Test("subject, body, tasks and reminders come from the template, shortcodes filled from the account, recipient and firm",
          arguments: TestEngine.all)
    func fromTemplate(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let template = try await Self.template(chat)
            let made = try await chat.send(.post, "/v1/threads", ["accountId": "acct_1", "templateId": template, "tasks": [["text": "Sign the letter"]]])
            #expect(made.status == 201, "\(made.json)")
            let lastYear = Calendar(identifier: .gregorian).component(.year, from: Date()) - 1
            #expect(made.json["subject"] as? String == "*Acme* acct_1: your \(lastYear) return", "a subject is plain text: no escaping")
            let tasks = (made.json["tasks"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(tasks == ["Upload bank statements", "Sign the letter"])
            #expect((made.json["reminders"] as? [String: Any])?["daysUntilNext"] as? Int == 5)
            let id = try #require(made.json["id"] as? String)
            let first = (try await chat.send(.get, "/v1/threads/\(id)/messages").json["items"] as? [[String: Any]] ?? [])
                .first { $0["kind"] as? String == "message" }
            // Stored as Markdown source: the firm's `&` is escaped so it stays a literal character.
            #expect(first?["text"] as? String == #"Dear Carla, Ledger \& Co needs a few things."#)
        }
    }

    @Test("[JOB_NAME] needs a job name; another firm's template and a contact's use are refused; a request's own subject wins")
    func refusals() async throws {
        try await ChatWorld.run { chat in
            let withJob = try await Self.template(chat, body: "About [JOB_NAME].")
            let refused = try await chat.send(.post, "/v1/threads", ["accountId": "acct_1", "templateId": withJob])
            #expect(refused.status == 400 && (refused.json["detail"] as? String)?.contains("[JOB_NAME]") == true, "\(refused.json)")
            let named = try await chat.send(.post, "/v1/threads", [
                "accountId": "acct_1", "templateId": withJob, "jobName": "2025 Tax Return", "subject": "My own subject",
            ])
            #expect(named.status == 201 && named.json["subject"] as? String == "My own subject", "\(named.json)")
            #expect(try await chat.send(.post, "/v1/threads", ["accountId": "acct_1", "templateId": "ctpl_nowhere"]).status == 400)
            #expect(try await chat.send(.post, "/v1/threads", ["accountId": "acct_1", "templateId": withJob, "jobName": "X"],
                                        as: chat.contact).status == 403)
        }
    }
}
