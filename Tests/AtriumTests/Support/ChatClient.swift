import AtriumRuntime
@testable import ChatService
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing

/// ChatService calls the tests make through a Hummingbird test client.
struct ChatTestClient {
    let client: any TestClientProtocol
    let token: String

    /// Starts a thread with `tasks` and checks every task off; returns the thread id.
    @discardableResult
    func completeThread(tasks: Int = 1, account: String = "acct_1") async throws -> String {
        let thread = try await createThread(tasks: tasks, account: account)
        let id = try #require(thread["id"] as? String)
        for task in try #require(thread["tasks"] as? [[String: Any]]) {
            _ = try await setTask(thread: id, task: try #require(task["id"] as? String), done: true)
        }
        return id
    }

    func createThread(tasks: Int, account: String = "acct_1") async throws -> [String: Any] {
        let body: [String: Any] = ["accountId": account, "subject": "Year-end documents", "text": "Please upload these.",
                                   "tasks": (0..<tasks).map { ["text": "Upload statement \($0 + 1)"] }]
        return try await client.execute(uri: "/v1/threads", method: .post, headers: .bearer(token), body: try JSON.buffer(body)) { response in
            #expect(response.status == .created)
            return try JSON.object(response.body)
        }
    }

    func setTask(thread: String, task: String, done: Bool, traceparent: String? = nil) async throws -> [String: Any] {
        var headers = HTTPFields.bearer(token)
        if let traceparent { headers[HTTPField.Name("traceparent")!] = traceparent }
        return try await client.execute(uri: "/v1/threads/\(thread)/tasks/\(task)", method: .patch, headers: headers,
                                 body: try JSON.buffer(["done": done])) { response in
            #expect(response.status == .ok)
            return try JSON.object(response.body)
        }
    }

    /// Creates or replaces subscription `id` to `url`; returns the HTTP status.
    @discardableResult
    func subscribe(_ id: String, url: String, secret: String, types: [String] = ["chat.thread.tasks_completed"]) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/v1/webhooks/subscriptions/\(id)", method: .put, headers: .bearer(token),
                                 body: try JSON.buffer(["url": url, "eventTypes": types, "secret": secret])) { $0.status }
    }

    func deliveries(query: String) async throws -> [[String: Any]] {
        try await client.execute(uri: "/v1/webhooks/deliveries?\(query)", method: .get, headers: .bearer(token)) { response in
            #expect(response.status == .ok)
            return try #require(try JSON.object(response.body)["items"] as? [[String: Any]])
        }
    }

    func attempts(delivery: String) async throws -> [[String: Any]] {
        try await client.execute(uri: "/v1/webhooks/deliveries/\(delivery)/attempts", method: .get, headers: .bearer(token)) { response in
            #expect(response.status == .ok)
            return try #require(try JSON.object(response.body)["items"] as? [[String: Any]])
        }
    }

    func replay(delivery: String) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/v1/webhooks/deliveries/\(delivery)/replay", method: .post, headers: .bearer(token)) { $0.status }
    }
}

extension ChatTestClient {
    /// Runs `body` against an in-process ChatService in `storage` (a fixed directory, an owner's token).
    static func run(
        _ storage: TestStorage, overrides: [String: String] = [:],
        _ body: @escaping @Sendable (ChatTestClient) async throws -> Void
    ) async throws {
        let configuration = try TestConfiguration.make(.chat, storage: storage, overrides: overrides)
        let app = try await ChatService.buildApplication(
            configuration, dependencies: ChatDependencies(directory: FixedDirectory(), people: FixedPeople(), catalog: FixedCatalog()))
        let token = try await TestConfiguration.memberToken()
        try await app.test(.router) { client in try await body(ChatTestClient(client: client, token: token)) }
    }
}
