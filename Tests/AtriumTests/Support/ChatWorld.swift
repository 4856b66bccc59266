import AccountService
import AtriumRuntime
@testable import ChatService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing

/// An in-process ChatService with doubles for AccountService and DocService, and a token for each
/// kind of caller: `acct_1` has `mem_asg` assigned and `con_1` as its portal contact; `con_2` is
/// the portal contact of `acct_2`, where nobody is assigned.
struct ChatWorld: Sendable {
    let client: any TestClientProtocol
    let storage: TestStorage
    let catalog: FixedCatalog
    let owner: String
    let assigned: String
    let unassigned: String
    let viewAll: String
    let contact: String
    let otherContact: String
    let stranger: String

    static var directory: FixedDirectory {
        var directory = FixedDirectory()
        directory.grants["acct_1"]?.memberIDs = ["mem_asg"]
        directory.grants["acct_1"]?.contactIDs = ["con_1"]
        directory.grants["acct_2"]?.contactIDs = ["con_2"]
        return directory
    }

    /// Runs `body` against a fresh ChatService. With a `clock`, the service runs live (its job runner
    /// too) on that clock; `setup` `.live` serves on a real port (`port`) for what only a live server
    /// does (event streams); otherwise requests go straight to the router. `overrides` are settings
    /// in environment form.
    static func run(
        _ engine: TestEngine = .sqlite, people: FixedPeople = FixedPeople(), directory: (any AccountDirectory)? = nil,
        clock: ManualJobClock? = nil, setup: TestingSetup = .router, overrides: [String: String] = [:],
        _ body: @escaping @Sendable (ChatWorld) async throws -> Void
    ) async throws {
        try await TestStorage.with(engine) { storage in
            try await run(storage, people: people, directory: directory, clock: clock, setup: setup, overrides: overrides, body)
        }
    }

    /// `run` on storage of the caller's: two services on one storage are two replicas.
    static func run(
        _ storage: TestStorage, people: FixedPeople = FixedPeople(), directory: (any AccountDirectory)? = nil, clock: ManualJobClock? = nil,
        setup: TestingSetup = .router, overrides: [String: String] = [:], _ body: @escaping @Sendable (ChatWorld) async throws -> Void
    ) async throws {
        do {
            let catalog = FixedCatalog()
            let app = try await ChatService.buildApplication(
                try TestConfiguration.make(.chat, storage: storage, overrides: overrides),
                dependencies: ChatDependencies(directory: directory ?? Self.directory, people: people, catalog: catalog,
                                               clock: clock ?? SystemJobClock()))
            let signer = try await TestConfiguration.signer()
            func member(_ id: String, _ role: Caller.Role, rights: Set<String> = [], firm: String = "firm_test") async throws -> String {
                "Bearer " + (try await signer.issue(for: Caller(kind: .member, subject: id, firmID: firm, role: role, rights: rights)))
            }
            func contact(_ id: String) async throws -> String {
                "Bearer " + (try await signer.issue(for: Caller(kind: .contact, subject: id, firmID: "firm_test")))
            }
            let tokens = (
                owner: try await member("mem_test", .owner), assigned: try await member("mem_asg", .employee),
                unassigned: try await member("mem_emp", .employee), viewAll: try await member("mem_all", .employee, rights: [Rights.viewAllAccounts]),
                contact: try await contact("con_1"), otherContact: try await contact("con_2"), stranger: try await member("mem_x", .owner, firm: "firm_other"))
            try await app.test(clock == nil ? setup : .live) { client in
                try await body(ChatWorld(
                    client: client, storage: storage, catalog: catalog, owner: tokens.owner, assigned: tokens.assigned, unassigned: tokens.unassigned,
                    viewAll: tokens.viewAll, contact: tokens.contact, otherContact: tokens.otherContact, stranger: tokens.stranger))
            }
        }
    }

    /// The port of a `.live` world.
    var port: Int? { client.port }

    /// Sends a request as `token` (the owner by default); the status and the JSON body.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as token: String? = nil,
              idempotencyKey: String? = nil) async throws -> (status: Int, json: [String: Any]) {
        var headers = HTTPFields.bearer(token ?? owner)
        if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
        return try await client.execute(uri: uri, method: method, headers: headers, body: try body.map(JSON.buffer)) {
            (Int($0.status.code), $0.json)
        }
    }

    /// Starts a thread on `account` as the owner (or `token`); its JSON.
    func thread(_ account: String = "acct_1", text: String = "Please send your bank statements.", tasks: [String] = [],
                extra: [String: Any] = [:], as token: String? = nil) async throws -> [String: Any] {
        var body: [String: Any] = ["accountId": account, "subject": "Year-end", "text": text, "tasks": tasks.map { ["text": $0] }]
        body.merge(extra) { _, new in new }
        let (status, json) = try await send(.post, "/v1/threads", body, as: token)
        #expect(status == 201, "\(json)")
        return json
    }

    /// The ids of the thread's tasks, in order.
    func taskIDs(_ thread: [String: Any]) -> [String] {
        (thread["tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// Drops every stored `Idempotency-Key` answer, as if the service had died before writing them.
    func forgetIdempotencyRecords() async throws {
        let database = try await open()
        do {
            try await database.sql.raw("DELETE FROM idempotency_keys").run()
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// Removes every job of `kind` from ChatService's queue in `storage`.
    static func deleteJobs(_ storage: TestStorage, kind: String) async throws {
        let database = try await open(storage)
        do {
            try await database.sql.raw("DELETE FROM jobs WHERE kind = \(bind: kind)").run()
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
    }

    private func open() async throws -> Database {
        try await Self.open(storage)
    }

    private static func open(_ storage: TestStorage) async throws -> Database {
        try await Database.open(
            url: storage.engine.postgresURL, schema: storage.schemaPrefix + ServiceName.chat.rawValue,
            sqlitePath: storage.directory.appendingPathComponent("\(ServiceName.chat.rawValue).sqlite").path, logger: Logger(label: "chat-test"))
    }

    /// The `data` of each event of `type` in ChatService's outbox, oldest first.
    func events(_ type: String) async throws -> [[String: Any]] {
        let database = try await Database.open(
            url: storage.engine.postgresURL, schema: storage.schemaPrefix + ServiceName.chat.rawValue,
            sqlitePath: storage.directory.appendingPathComponent("\(ServiceName.chat.rawValue).sqlite").path, logger: Logger(label: "chat-events"))
        do {
            let rows = try await database.sql.raw("SELECT payload FROM outbox_events WHERE type = \(bind: type) ORDER BY seq").all()
            try await database.close()
            return try rows.map { try JSON.object(Data(try $0.decode(column: "payload", as: String.self).utf8))["data"] as? [String: Any] ?? [:] }
        } catch {
            try? await database.close()
            throw error
        }
    }
}
