import AccountService
@testable import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Synchronization
import Testing

/// `Idempotency-Key` on every POST and PATCH: a repeat gets the first answer and changes nothing.
@Suite("Idempotency-Key: repeats answered once, reuse refused, nothing stored in clear")
struct IdempotencyTests {
    struct Firm {
        let client: any TestClientProtocol
        let owner: String

        func post(_ uri: String, _ body: [String: Any], key: String?, as token: String? = nil) async throws
            -> (status: HTTPResponse.Status, json: [String: Any], replayed: Bool)
        {
            var headers = HTTPFields.bearer(token ?? owner)
            if let key { headers[.idempotencyKey] = key }
            return try await client.execute(uri: uri, method: .post, headers: headers, body: try JSON.buffer(body)) {
                ($0.status, $0.json, $0.headers[.idempotentReplayed] == "true")
            }
        }

        func accountNames() async throws -> [String] {
            try await client.execute(uri: "/v1/accounts?limit=100", method: .get, headers: .bearer(owner)) { response in
                #expect(response.status == .ok, "\(response.json)")
                return (response.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
        }
    }

    func withFirm(_ engine: TestEngine, _ body: @escaping @Sendable (Firm, TestStorage) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await AccountService.buildApplication(try TestConfiguration.make(.account, storage: storage))
            try await app.test(.router) { client in
                let signup = try await AccountServiceTests.signup(client)
                let owner = "Bearer " + (try #require((signup["tokens"] as? [String: Any])?["accessToken"] as? String))
                try await body(Firm(client: client, owner: owner), storage)
            }
        }
    }

    @Test("the same key and body: the first response again, one account created", arguments: TestEngine.all)
    func repeatGetsFirstAnswer(engine: TestEngine) async throws {
        try await withFirm(engine) { firm, _ in
            let body = ["name": "Acme Ltd", "kind": "company"]
            let first = try await firm.post("/v1/accounts", body, key: "create-acme-1")
            let second = try await firm.post("/v1/accounts", body, key: "create-acme-1")
            #expect(first.status == .created && second.status == .created)
            #expect(second.json["id"] as? String == first.json["id"] as? String)
            #expect(!first.replayed && second.replayed)
            #expect(try await firm.accountNames().filter { $0 == "Acme Ltd" }.count == 1)
            // Without a key each POST is new.
            _ = try await firm.post("/v1/accounts", body, key: nil)
            #expect(try await firm.accountNames().filter { $0 == "Acme Ltd" }.count == 2)
        }
    }

    @Test("the same key with another body is 422; another caller's same key is theirs; a bad key is 400")
    func refusals() async throws {
        try await withFirm(.sqlite) { firm, _ in
            #expect(try await firm.post("/v1/accounts", ["name": "One", "kind": "company"], key: "k-1").status == .created)
            let reused = try await firm.post("/v1/accounts", ["name": "Two", "kind": "company"], key: "k-1")
            #expect(reused.status == .unprocessableContent)
            #expect(reused.json["type"] as? String == "https://atrium.dev/problems/idempotency-key-reused")
            let other = "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .member, subject: "mem_other", firmID: "firm_other", role: .owner)))
            let theirs = try await firm.post("/v1/tags", ["name": "Theirs"], key: "k-1", as: other)
            #expect(theirs.status != .unprocessableContent, "keys are scoped to the caller")
            for bad in [String(repeating: "k", count: 256), "has space", "ünïcode"] {
                #expect(try await firm.post("/v1/accounts", ["name": "Bad", "kind": "company"], key: bad).status == .badRequest, "\(bad)")
            }
        }
    }

    @Test("a request that failed keeps nothing: the key works again", arguments: TestEngine.all)
    func failuresAreNotStored(engine: TestEngine) async throws {
        try await withFirm(engine) { firm, _ in
            #expect(try await firm.post("/v1/accounts", ["name": "", "kind": "company"], key: "k-2").status == .badRequest)
            let retried = try await firm.post("/v1/accounts", ["name": "Fixed", "kind": "company"], key: "k-2")
            #expect(retried.status == .created && !retried.replayed)
        }
    }

    @Test("concurrent repeats: one account, and every answer is the first one or 409 in progress", arguments: TestEngine.all)
    func concurrentRepeats(engine: TestEngine) async throws {
        try await withFirm(engine) { firm, _ in
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let answer = try await firm.post("/v1/accounts", ["name": "Racer", "kind": "company"], key: "race")
                        return (answer.status, answer.json["id"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0.0 == .created || $0.0 == .conflict }, "\(statuses.map(\.0))")
            #expect(Set(statuses.compactMap(\.1)).count == 1, "every success names the same account")
            #expect(try await firm.accountNames().filter { $0 == "Racer" }.count == 1)
        }
    }

    @Test("a repeated sign-up gets the same tokens, and the stored answer holds no token in clear", arguments: TestEngine.all)
    func sealedAtRest(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await AccountService.buildApplication(try TestConfiguration.make(.account, storage: storage))
            try await app.test(.router) { client in
                let body: [String: Any] = ["firmName": "Sealed", "owner": ["email": "s@sealed.example", "firstName": "S", "lastName": "S",
                                                                          "password": AccountServiceTests.password]]
                var headers: HTTPFields = [.contentType: "application/json", .idempotencyKey: "signup-sealed"]
                let first = try await client.execute(uri: "/v1/firms", method: .post, headers: headers, body: try JSON.buffer(body)) { $0.json }
                let again = try await client.execute(uri: "/v1/firms", method: .post, headers: headers, body: try JSON.buffer(body)) { $0.json }
                let token = try #require((first["tokens"] as? [String: Any])?["refreshToken"] as? String)
                #expect((again["tokens"] as? [String: Any])?["refreshToken"] as? String == token)
                headers[.idempotencyKey] = "signup-other"
                let database = storage.track(try await Database.open(
                    url: engine.postgresURL, schema: storage.schemaPrefix + "account",
                    sqlitePath: storage.directory.appendingPathComponent("account.sqlite").path, logger: Logger(label: "idempotency-test")))
                let rows = try await database.sql.raw("SELECT id, response_body FROM idempotency_keys").all()
                try await database.close()
                #expect(rows.count == 1)
                for row in rows {
                    let stored = try row.decode(column: "response_body", as: String.self)
                    #expect(!stored.contains(token) && !stored.contains("refreshToken"), "the answer is sealed")
                    #expect(try row.decode(column: "id", as: String.self) != "signup-sealed", "the key is stored only as a hash")
                }
            }
        }
    }

    @Test("the store: claimed once, in progress refused, a dead request's key taken over after its lease")
    func storeStates() async throws {
        try await TestStorage.with(.sqlite) { storage in
            let database = storage.track(try await Database.open(
                url: nil, schema: "x", sqlitePath: storage.directory.appendingPathComponent("i.sqlite").path, logger: Logger(label: "i")))
            try await Migrator(database: database).run([IdempotencyStore.migration])
            let now = Mutex<Int64>(1_000_000)
            let store = IdempotencyStore(database: database, lease: .seconds(60), clock: { now.withLock { $0 } })
            let request = Request(head: .init(method: .post, scheme: "http", authority: "x", path: "/v1/x"), body: .init(buffer: .init()))
            let entry = IdempotencyEntry(key: "k", scope: "member:m", request: request, body: ByteBuffer(string: "{}"))
            #expect(try await store.begin(entry) == .started)
            #expect(try await store.begin(entry) == .inFlight)
            // Its lease runs out: the process that claimed it is taken for dead, and a repeat runs it.
            now.withLock { $0 += 61_000 }
            #expect(try await store.begin(entry) == .started, "taken over after the lease")
            #expect(try await store.begin(entry) == .inFlight, "taken over once")
            // A request that is still alive renews its lease: a repeat past the first lease is still refused.
            let long = IdempotencyEntry(key: "long", scope: "member:m", request: request, body: ByteBuffer(string: "{}"))
            #expect(try await store.begin(long) == .started)
            now.withLock { $0 += 50_000 }
            try await store.renew(long)
            now.withLock { $0 += 50_000 }
            #expect(try await store.begin(long) == .inFlight, "renewed: alive past its first lease")
            now.withLock { $0 += 11_000 }
            #expect(try await store.begin(long) == .started, "not renewed for a whole lease: taken for dead")
            let patient = IdempotencyStore(database: database, lease: .seconds(60))
            let other = IdempotencyEntry(key: "k2", scope: "member:m", request: request, body: ByteBuffer(string: "{}"))
            #expect(try await patient.begin(other) == .started)
            #expect(try await patient.begin(other) == .inFlight)
            let changed = IdempotencyEntry(key: "k2", scope: "member:m", request: request, body: ByteBuffer(string: "{\"a\":1}"))
            #expect(try await patient.begin(changed) == .reused)
            _ = try await patient.finish(other, response: Response(status: .created, body: .init(byteBuffer: ByteBuffer(string: "ok"))))
            guard case .replay(let stored) = try await patient.begin(other) else {
                Issue.record("a finished key replays")
                return
            }
            #expect(stored.status == 201 && stored.body == Data("ok".utf8))
            try await database.close()
        }
    }
}

extension IdempotencyStore.Start: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.started, .started), (.inFlight, .inFlight), (.reused, .reused), (.replay, .replay): true
        default: false
        }
    }
}
