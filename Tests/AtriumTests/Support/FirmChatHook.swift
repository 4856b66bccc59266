import AtriumCluster
import AtriumRuntime
import Foundation
import Logging
import NIOHTTP1
import Testing

/// A firm's own webhook subscription to the real ChatService for every type a firm may receive
/// (`"*"`), answered by a `TestConsumer`: what an integrator of the firm would be told.
struct FirmChatHook: Sendable {
    /// One event as delivered: its type and its `data`.
    struct Event: @unchecked Sendable {
        let type: String
        let data: [String: Any]
        let body: String
    }

    let consumer: TestConsumer
    /// The subscription's id, as ChatService gave it.
    let subscription: String
    /// ChatService as the firm's owner.
    let chat: ServiceHTTP

    /// Subscribes the owner's firm (`chat` is ChatService as the owner) to every event to `url`.
    static func subscribe(_ chat: ServiceHTTP, consumer: TestConsumer, url: String) async throws -> FirmChatHook {
        let made = try await chat.send(.POST, "/v1/webhooks/subscriptions", json: ["url": url, "secret": TestConsumer.secret, "eventTypes": ["*"]])
        #expect(made.status == 201, "\(made.json)")
        return FirmChatHook(consumer: consumer, subscription: try #require(made.json["id"] as? String), chat: chat)
    }

    /// Returns once no delivery to the subscription is pending. ChatService fans an event out into
    /// its deliveries in the transaction that publishes it, so when this returns the consumer has
    /// heard every event of every request answered before the call: counting them is then exact.
    func settled() async throws {
        try await eventually(timeout: .seconds(90), "every delivery to \(subscription) to land") {
            let (status, page) = try await chat.send(.GET, "/v1/webhooks/deliveries?status=pending&subscriptionId=\(subscription)&limit=1")
            return status == 200 && (page["items"] as? [Any])?.isEmpty == true
        }
        let dead = try await chat.send(.GET, "/v1/webhooks/deliveries?status=dead&subscriptionId=\(subscription)&limit=10").json
        #expect((dead["items"] as? [Any])?.isEmpty == true, "deliveries gave up: \(dead)")
    }

    /// Every event received so far, in arrival order; of `type` only when given.
    func events(_ type: String? = nil) async -> [Event] {
        await consumer.bodies.compactMap { body -> Event? in
            guard let object = try? JSON.object(body), let kind = object["type"] as? String else { return nil }
            guard type == nil || kind == type else { return nil }
            return Event(type: kind, data: object["data"] as? [String: Any] ?? [:], body: String(decoding: body, as: UTF8.self))
        }
    }

    /// Events of `type` about `thread`.
    func events(_ type: String, thread: String) async -> [Event] {
        await events(type).filter { $0.data["threadId"] as? String == thread }
    }
}

/// Small reads of a running cluster the chat suites share.
enum ChatCluster {
    /// The port ChatService listens on (for `EventStream`).
    static func chatPort(_ cluster: Cluster) -> Int? { cluster.topology.endpoints[.chat]?.port }

    /// The firm of the bearer `token`, as AccountService tells its caller.
    static func firmID(_ cluster: Cluster, token: String) async throws -> String {
        let me = try await ServiceHTTP(base: cluster.url(.account), token: token).send(.GET, "/v1/me")
        #expect(me.status == 200, "\(me.json)")
        return try #require(me.json["firmId"] as? String)
    }

    /// A second account of the owner's firm with its own activated contact: their ids and the contact's bearer header.
    static func otherAccount(_ cluster: Cluster, owner: String) async throws -> (account: String, contact: String, bearer: String) {
        let accounts = ServiceHTTP(base: cluster.url(.account), token: owner)
        let made = try await accounts.send(.POST, "/v1/accounts", json: ["name": "Elsewhere Ltd", "kind": "company"])
        #expect(made.status == 201, "\(made.json)")
        let account = try #require(made.json["id"] as? String)
        let contact = try await PortalContacts.activated(cluster, owner: owner, account: account,
                                                         email: "other-\(UUID().uuidString.prefix(8))@elsewhere.example")
        return (account, contact.id, contact.bearer)
    }

    /// An employee assigned to `account`: their id and bearer header.
    static func assignedEmployee(_ cluster: Cluster, owner: String, account: String, name: String) async throws -> (id: String, bearer: String) {
        let accounts = ServiceHTTP(base: cluster.url(.account), token: owner)
        let (id, bearer) = try await ChatDirectoryIntegrationTests.employee(cluster, accounts, name)
        #expect(try await accounts.send(.POST, "/v1/accounts/\(account)/access", json: ["give": [id]]).status == 200)
        return (id, bearer)
    }

    /// ChatService's own database in the cluster (its SQLite file, or its schema on PostgreSQL).
    static func chatDatabase(_ cluster: Cluster) async throws -> Database {
        try await Database.open(
            url: cluster.topology.databaseURL, schema: cluster.topology.schemaPrefix + ServiceName.chat.rawValue,
            sqlitePath: cluster.topology.dataDirectory + "/\(ServiceName.chat.rawValue).sqlite", logger: Logger(label: "chat-storage"))
    }

    /// The ids of a page of threads or links.
    static func ids(_ page: [String: Any], key: String = "id") -> [String] {
        (page["items"] as? [[String: Any]] ?? []).compactMap { $0[key] as? String }
    }

    /// The ids of a thread's tasks, in order.
    static func taskIDs(_ thread: [String: Any]) -> [String] {
        (thread["tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// Every message of `thread` as `chat`'s caller sees it, oldest first.
    static func messages(_ chat: ServiceHTTP, thread: String) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var cursor: String?
        repeat {
            let (status, page) = try await chat.send(.GET, "/v1/threads/\(thread)/messages?limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""))
            #expect(status == 200, "\(page)")
            all += page["items"] as? [[String: Any]] ?? []
            cursor = page["nextCursor"] as? String
        } while cursor != nil
        return all.reversed()
    }
}
