import ArgumentParser
import AtriumCluster
import AtriumRuntime
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// What every chat measure starts from: the running cluster, a firm signed up through
/// AccountService, and one account with a contact who can receive messages.
struct ChatBenchWorld: Sendable {
    let cluster: Cluster
    let http: ChatBenchHTTP
    let secret: String
    let owner: String
    let ownerID: String
    let firmID: String
    let accountID: String
    let contactID: String
    /// Concurrent connections for throughput figures and seeding through the API.
    let workers: Int
    let seconds: Int
    let samples: Int

    var chat: String { cluster.url(.chat) }

    /// A bare request to chat-service (the route every figure is compared with).
    func bare() async throws {
        try await http.send(.GET, chat + "/health/live", token: nil)
    }

    /// CPU milliseconds `service` has used so far.
    func cpu(_ service: ServiceName) -> Double {
        ProcessCPU.milliseconds(cluster.processes[service]?.processIdentifier)
    }

    static func make(_ cluster: Cluster, http: ChatBenchHTTP, secret: String, workers: Int, seconds: Int, samples: Int) async throws -> ChatBenchWorld {
        let account = cluster.url(.account)
        let email = "owner-\(UUID().uuidString.prefix(8).lowercased())@chat-bench.example"
        let signup = try await http.send(.POST, account + "/v1/firms", token: nil, json: [
            "firmName": "Chat Bench & Co", "owner": ["email": email, "firstName": "Bea", "lastName": "Bench", "password": BenchFirm.password],
        ])
        guard let token = (signup["tokens"] as? [String: Any])?["accessToken"] as? String,
              let firmID = (signup["firm"] as? [String: Any])?["id"] as? String,
              let ownerID = (signup["owner"] as? [String: Any])?["id"] as? String
        else { throw ValidationError("sign-up failed: \(signup)") }
        let owner = "Bearer " + token
        let created = try await http.send(.POST, account + "/v1/accounts", token: owner, json: ["name": "Bench Ltd", "kind": "company"])
        guard let accountID = created["id"] as? String else { throw ValidationError("account creation failed: \(created)") }
        let contactID = try await BenchInvitation(cluster: cluster, http: http, secret: secret)
            .activatedContact(account: accountID, owner: owner, email: "client-\(UUID().uuidString.prefix(8).lowercased())@chat-bench.example")
        return ChatBenchWorld(cluster: cluster, http: http, secret: secret, owner: owner, ownerID: ownerID, firmID: firmID,
                              accountID: accountID, contactID: contactID, workers: workers, seconds: seconds, samples: samples)
    }

    /// The database of `service`, as the service itself opens it (SQLite file in the data directory, or its PostgreSQL schema).
    func database(_ service: ServiceName) async throws -> Database {
        let topology = cluster.topology
        return try await Database.open(url: topology.databaseURL, schema: topology.schemaPrefix + service.rawValue,
                                       sqlitePath: "\(topology.dataDirectory)/\(service.rawValue).sqlite", logger: .init(label: "bench-chat"))
    }
}

/// A contact made the way a firm makes one: added with portal access, invited, and accepting the
/// invitation whose token NotifyService would have e-mailed. The bench holds the deployment's
/// root secret, so it can ask AccountService for NotifyService's token, and hears
/// `account.invitation_created` through a webhook subscription of its own.
struct BenchInvitation {
    let cluster: Cluster
    let http: ChatBenchHTTP
    let secret: String

    /// Adds and activates the contact (one bcrypt hash, ~250 ms); answers their id.
    func activatedContact(account: String, owner: String, email: String) async throws -> String {
        let base = cluster.url(.account)
        let notify = try await notifyToken()
        return try await BenchInbox.listening { hook, inbox in
            let subscription = "bench-chat-invitations"
            try await http.send(.PUT, base + "/v1/webhooks/subscriptions/\(subscription)", token: notify,
                                json: ["url": hook, "eventTypes": ["account.invitation_created"]])
            let added = try await http.send(.POST, base + "/v1/accounts/\(account)/contacts", token: owner, json: [
                "email": email, "firstName": "Cleo", "lastName": "Client", "portalAccess": true,
            ])
            guard let id = added["id"] as? String else { throw ValidationError("contact creation failed: \(added)") }
            try await http.send(.POST, base + "/v1/accounts/\(account)/contacts/\(id)/invitation", token: owner)
            let invitation = try await inbox.invitation(of: id)
            let link = try await http.send(.GET, base + "/v1/invitations/\(invitation)/link", token: notify)
            guard let token = link["token"] as? String else { throw ValidationError("no invitation token: \(link)") }
            try await http.send(.POST, base + "/v1/invitations/accept", token: nil, json: ["token": token, "password": "a long enough password"])
            try await http.send(.DELETE, base + "/v1/webhooks/subscriptions/\(subscription)", token: notify)
            return id
        }
    }

    private func notifyToken() async throws -> String {
        let tokens = ServiceTokenCache.fromAccountService(
            url: cluster.url(.account), name: ServiceName.notify.displayName,
            credential: ServiceCredential.derive(root: secret, for: ServiceName.notify.displayName), httpClient: http.client)
        return "Bearer " + (try await tokens.token(for: .account))
    }
}

/// A webhook consumer on loopback that keeps every body it receives.
final class BenchInbox: Sendable {
    let port = Atomic<Int>(0)
    private let bodies = Mutex<[Data]>([])

    /// Runs `body` with the consumer's URL while it listens.
    static func listening<T: Sendable>(_ body: @escaping @Sendable (String, BenchInbox) async throws -> T) async throws -> T {
        let inbox = BenchInbox()
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            inbox.bodies.withLock { $0.append(Data(bytes.readableBytesView)) }
            return .noContent
        }
        var logger = Logger(label: "bench-chat-inbox")
        logger.logLevel = .critical  // its start and cancelled stop are not the bench's news
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { inbox.port.store($0.localAddress?.port ?? 0, ordering: .relaxed) }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            while inbox.port.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            let result = try await body("http://127.0.0.1:\(inbox.port.load(ordering: .relaxed))/hook", inbox)
            group.cancelAll()
            return result
        }
    }

    /// The invitation id an `account.invitation_created` event names for `subject`, waiting up to 10 s.
    func invitation(of subject: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let found = bodies.withLock { $0 }.lazy
                .compactMap { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] }
                .compactMap { $0["data"] as? [String: Any] }
                .first { $0["subjectId"] as? String == subject }?["invitationId"] as? String
            if let found { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ValidationError("no account.invitation_created event named \(subject)")
    }
}
