import AccountService
import AtriumRuntime
@testable import ChatService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("ChatService: threads and client tasks (first version)")
struct ChatServiceTests {
    func withChat(
        _ engine: TestEngine = .sqlite, directory: FixedDirectory = FixedDirectory(),
        _ body: @escaping @Sendable (ChatTestClient) async throws -> Void
    ) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await ChatService.buildApplication(
                try TestConfiguration.make(.chat, storage: storage),
                dependencies: ChatDependencies(directory: directory, people: FixedPeople(), catalog: FixedCatalog()))
            let token = try await TestConfiguration.memberToken()
            try await app.test(.router) { client in try await body(ChatTestClient(client: client, token: token)) }
        }
    }

    @Test("a thread keeps its tasks in order and counts completed/total", arguments: TestEngine.all)
    func tasksAndProgress(engine: TestEngine) async throws {
        try await withChat(engine) { chat in
            let thread = try await chat.createThread(tasks: 3)
            let id = try #require(thread["id"] as? String)
            let tasks = try #require(thread["tasks"] as? [[String: Any]])
            #expect(tasks.compactMap { $0["position"] as? Int } == [0, 1, 2])
            #expect(thread["totalTasks"] as? Int == 3 && thread["completedTasks"] as? Int == 0)
            let after = try await chat.setTask(thread: id, task: try #require(tasks[1]["id"] as? String), done: true)
            #expect(after["completedTasks"] as? Int == 1)
            #expect((after["tasks"] as? [[String: Any]])?[1]["done"] as? Bool == true)
            try await chat.client.execute(uri: "/v1/threads/\(id)", method: .get, headers: .bearer(chat.token)) { response in
                #expect(response.status == .ok)
                #expect(response.json["completedTasks"] as? Int == 1)
            }
        }
    }

    @Test("another firm's member, a contact and an unknown task are refused")
    func refusals() async throws {
        try await withChat { chat in
            let thread = try await chat.createThread(tasks: 1)
            let id = try #require(thread["id"] as? String)
            let task = try #require((thread["tasks"] as? [[String: Any]])?.first?["id"] as? String)
            let stranger = try await TestConfiguration.memberToken(firm: "firm_other", id: "mem_x")
            try await chat.client.execute(uri: "/v1/threads/\(id)", method: .get, headers: .bearer(stranger)) { response in
                #expect(response.status == .notFound, "existence does not leak across firms")
            }
            try await chat.client.execute(uri: "/v1/threads/\(id)/tasks/\(task)", method: .patch, headers: .bearer(stranger),
                                          body: try JSON.buffer(["done": true])) { #expect($0.status == .notFound) }
            let contact = "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .contact, subject: "con_1", firmID: "firm_test")))
            try await chat.client.execute(uri: "/v1/threads", method: .post, headers: .bearer(contact),
                                          body: try JSON.buffer(["accountId": "acct_1", "subject": "Hi", "text": "Hello"])) { #expect($0.status == .notFound) }
            try await chat.client.execute(uri: "/v1/threads/\(id)", method: .get, headers: .bearer(contact)) { #expect($0.status == .notFound) }
            try await chat.client.execute(uri: "/v1/threads", method: .post, headers: .bearer(chat.token),
                                          body: try JSON.buffer(["accountId": "acct_404", "subject": "Hi", "text": "Hello"])) { response in
                #expect(response.status == .notFound)
                #expect(response.json["type"] as? String == "https://atrium.dev/problems/account-not-found")
            }
            try await chat.client.execute(uri: "/v1/threads/\(id)/tasks/tsk_nope", method: .patch, headers: .bearer(chat.token),
                                          body: try JSON.buffer(["done": true])) { response in
                #expect(response.status == .notFound)
                #expect(response.json["type"] as? String == "https://atrium.dev/problems/task-not-found")
            }
        }
    }

    @Test("a contact starts a thread on their own account only while the firm allows it, and sets no tasks")
    func contactStartsThread() async throws {
        var directory = FixedDirectory()
        directory.grants["acct_2"]?.contactIDs = ["con_2"]
        let contact = "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .contact, subject: "con_2", firmID: "firm_test")))
        try await withChat(directory: directory) { chat in
            try await chat.client.execute(uri: "/v1/threads", method: .post, headers: .bearer(contact),
                                          body: try JSON.buffer(["accountId": "acct_2", "subject": "A question", "text": "Can you help?"])) { #expect($0.status == .created) }
            try await chat.client.execute(uri: "/v1/threads", method: .post, headers: .bearer(contact),
                                          body: try JSON.buffer(["accountId": "acct_2", "subject": "Q", "text": "?", "tasks": [["text": "x"]]])) {
                #expect($0.status == .forbidden)
            }
            try await chat.client.execute(uri: "/v1/threads", method: .post, headers: .bearer(contact),
                                          body: try JSON.buffer(["accountId": "acct_3", "subject": "Q", "text": "?"])) { #expect($0.status == .notFound) }
        }
        directory.clientsMayStartChats = false
        try await withChat(directory: directory) { chat in
            try await chat.client.execute(uri: "/v1/threads", method: .post, headers: .bearer(contact),
                                          body: try JSON.buffer(["accountId": "acct_2", "subject": "A question", "text": "Can you help?"])) { response in
                #expect(response.status == .forbidden)
                #expect((response.json["detail"] as? String)?.contains("not start new ones") == true)
            }
        }
    }

    @Test("thread input is validated field by field")
    func validation() async throws {
        try await withChat { chat in
            for (body, field) in [
                (["accountId": "", "subject": "S"] as [String: Any], "accountId"),
                (["accountId": "acct_1", "subject": "   "], "subject"),
                (["accountId": "acct_1", "subject": "S", "tasks": [["text": ""]]], "tasks[0]"),
                (["accountId": "acct_1", "subject": "S", "tasks": "nope"], "tasks"),
            ] {
                try await chat.client.execute(uri: "/v1/threads", method: .post, headers: .bearer(chat.token), body: try JSON.buffer(body)) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect((response.json["detail"] as? String)?.contains(field) == true, "\(response.json)")
                }
            }
        }
    }
}
