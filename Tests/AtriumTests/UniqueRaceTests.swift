import AccountService
@testable import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing

/// Two requests that create the same unique thing at once: on PostgreSQL both can pass the
/// read-before-write, and the unique index decides. The loser must get a 409, never a 500.
@Suite("Unique-constraint races answer 409, never 500")
struct UniqueRaceTests {
    static let racers = 20
    static let password = "correct horse battery"

    /// Sends `racers` requests at once and returns their statuses.
    static func race(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: (Int) -> String, token: String? = nil,
                     body: @escaping @Sendable (Int) -> [String: Any]) async throws -> [Int] {
        let uris = (0..<racers).map(uri)
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = token }
        let sent = headers
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<racers {
                group.addTask {
                    try await client.execute(uri: uris[index], method: method, headers: sent, body: try JSON.buffer(body(index))) {
                        Int($0.status.code)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    static func owner(_ client: any TestClientProtocol) async throws -> String {
        let body: [String: Any] = ["firmName": "Race & Co", "owner": ["email": "owner@race.example", "firstName": "O", "lastName": "W",
                                                                      "password": password]]
        return try await client.execute(uri: "/v1/firms", method: .post, headers: [.contentType: "application/json"], body: try JSON.buffer(body)) {
            "Bearer " + (((try JSON.object($0.body)["tokens"] as? [String: Any])?["accessToken"] as? String) ?? "")
        }
    }

    static func withAccount(_ engine: TestEngine, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await AccountService.buildApplication(try TestConfiguration.make(.account, storage: storage))
            try await app.test(.router) { client in try await body(client) }
        }
    }

    @Test("20 sign-ups with one e-mail: one 201, the rest 409 email-taken", arguments: TestEngine.all)
    func signups(engine: TestEngine) async throws {
        try await Self.withAccount(engine) { client in
            let statuses = try await Self.race(client, .post, { _ in "/v1/firms" }) { index in
                ["firmName": "Firm \(index)", "owner": ["email": "same@race.example", "firstName": "A", "lastName": "B", "password": Self.password]]
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == Self.racers - 1, "\(statuses)")
        }
    }

    @Test("20 new team members with one e-mail: one 201, the rest 409", arguments: TestEngine.all)
    func teamMembers(engine: TestEngine) async throws {
        try await Self.withAccount(engine) { client in
            let token = try await Self.owner(client)
            let statuses = try await Self.race(client, .post, { _ in "/v1/team-members" }, token: token) { _ in
                ["email": "new@race.example", "firstName": "N", "lastName": "M", "role": "employee"]
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == Self.racers - 1, "\(statuses)")
        }
    }

    @Test("20 tags with one name: one 201, the rest 409", arguments: TestEngine.all)
    func tags(engine: TestEngine) async throws {
        try await Self.withAccount(engine) { client in
            let token = try await Self.owner(client)
            let statuses = try await Self.race(client, .post, { _ in "/v1/tags" }, token: token) { index in
                ["name": index % 2 == 0 ? "VAT" : "vat"]
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == Self.racers - 1, "\(statuses)")
        }
    }

    @Test("one new contact e-mail added to 20 accounts at once: no 5xx", arguments: TestEngine.all)
    func contacts(engine: TestEngine) async throws {
        try await Self.withAccount(engine) { client in
            let token = try await Self.owner(client)
            var accounts: [String] = []
            for index in 0..<Self.racers {
                accounts.append(try await client.execute(uri: "/v1/accounts", method: .post, headers: .bearer(token),
                                                         body: try JSON.buffer(["name": "Account \(index)", "kind": "company"])) {
                    try JSON.object($0.body)["id"] as? String ?? ""
                })
            }
            let ids = accounts
            let statuses = try await Self.race(client, .post, { "/v1/accounts/\(ids[$0])/contacts" }, token: token) { _ in
                ["email": "client@race.example", "firstName": "C", "lastName": "L"]
            }
            #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 }, "\(statuses)")
            #expect(statuses.contains(201), "\(statuses)")
        }
    }

    @Test("any unique violation reaching the problem mapping is a 409 already-exists", arguments: TestEngine.all)
    func centralMapping(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = storage.track(try await Database.open(url: engine.postgresURL, schema: storage.schemaPrefix + "account",
                                                   sqlitePath: storage.directory.appendingPathComponent("u.sqlite").path,
                                                   logger: Logger(label: "test")))
            do {
                try await database.sql.raw("CREATE TABLE things (name TEXT NOT NULL UNIQUE)").run()
                try await database.sql.raw("INSERT INTO things (name) VALUES ('a')").run()
                let error = await #expect(throws: (any Error).self) {
                    try await database.sql.raw("INSERT INTO things (name) VALUES ('a')").run()
                }
                let problem = error.flatMap { Problem.from($0, request: ProblemMappingTests.request) }
                #expect(problem?.status == 409, "\(String(describing: error))")
                #expect(problem?.type == "https://atrium.dev/problems/already-exists")
                #expect(problem?.detail?.isEmpty == false)
            } catch {
                try? await database.close()
                throw error
            }
            try await database.close()
        }
    }
}
