import AtriumCluster
import AtriumRuntime
import Foundation
import Logging
import NIOHTTP1
import SQLKit
import Testing

/// SPEC "People and access", enforced by every real service: each endpoint that exists, called
/// by each kind of caller, answers exactly what the spec says; every operation the services
/// document has a row (`+Coverage`); and a second firm's resources are, to the first firm's
/// people, indistinguishable from nothing (`+CrossFirm`).
@Suite("Authorization matrix across the real services", .serialized)
struct AuthorizationMatrixTests {
    static let password = "matrix password 0123"

    /// The kinds of caller the spec distinguishes. `manager` is an assigned employee with "manage
    /// documents"; `portalView` is the assigned employee looking at the portal as `contact` sees it.
    enum Persona: String, CaseIterable, Sendable {
        case owner, admin, assigned, manager, unassigned, viewAll, contact, otherContact, anonymous, portalView
    }

    /// One endpoint: where it is, what to send, and the status each persona must get.
    struct Row: Sendable {
        let service: ServiceName
        let method: HTTPMethod
        let path: @Sendable (Persona) async throws -> String
        let body: @Sendable (Persona) -> [String: Any]?
        let expected: [Persona: Int]
        /// Sent as a one-file `multipart/form-data` upload instead of JSON (DocService's upload route).
        var upload = false
        /// Accepted now and judged per item later (a bulk send): another firm's ids get the same 202
        /// as ids of nothing, and their items are skipped as `no_access` (ChatBulkSendTests).
        var judgedLater = false
        /// Extra request headers, made for each request (an `Idempotency-Key` must not repeat).
        var headers: @Sendable (Persona) -> [(String, String)] = { _ in [] }

        var name: String { "\(service.rawValue) \(method.rawValue)" }

        /// What `persona` must get. A portal view reads what the contact reads and changes nothing.
        func expected(_ persona: Persona) -> Int {
            if let status = expected[persona] { return status }
            return method == .GET ? expected[.contact] ?? 0 : 403
        }
    }

    /// Status expectations: admins answer like owners, and the document manager and view-all
    /// employees like the assigned one, unless said otherwise.
    static func expect(
        owner: Int, admin: Int? = nil, assigned: Int, manager: Int? = nil, unassigned: Int, viewAll: Int? = nil, contact: Int,
        otherContact: Int, anonymous: Int = 401
    ) -> [Persona: Int] {
        [.owner: owner, .admin: admin ?? owner, .assigned: assigned, .manager: manager ?? assigned, .unassigned: unassigned,
         .viewAll: viewAll ?? assigned, .contact: contact, .otherContact: otherContact, .anonymous: anonymous]
    }

    static func all(_ status: Int) -> [Persona: Int] {
        Dictionary(uniqueKeysWithValues: Persona.allCases.filter { $0 != .portalView }.map { ($0, status) })
    }

    @Test("every endpoint × owner, admin, assigned, document manager, unassigned, view-all, contact, other contact, anonymous, portal view",
          arguments: TestEngine.all)
    func matrix(engine: TestEngine) async throws {
        try await TestStorage.with(.sqlite) { consumerStorage in
            try await TestConsumer.run(storage: consumerStorage) { consumer, hook in
                try await IntegrationHarness.with(engine) { cluster in
                    // Two firms side by side, built at once: everything firm A's people try on firm B must fail like nothing.
                    async let built = MatrixWorld.build(cluster, consumer: consumer, hook: hook)
                    async let builtRival = MatrixWorld.build(cluster, consumer: consumer, hook: hook, label: "rival")
                    let (world, rival) = try await (built, builtRival)
                    let rows = Self.rows(world, cluster: cluster, hook: hook)
                    let (failures, targets) = try await Self.answers(rows, world, cluster)
                    #expect(failures.isEmpty, "\(failures.count) wrong answers:\n\(failures.joined(separator: "\n"))")
                    let missing = try await Self.uncoveredOperations(targets, cluster)
                    #expect(missing.isEmpty, "\(missing.count) documented operations without a row in the matrix:\n\(missing.joined(separator: "\n"))")
                    let leaks = try await Self.crossFirmLeaks(asking: world, about: rival, cluster: cluster, hook: hook)
                    #expect(leaks.isEmpty, "\(leaks.count) answers that tell firm B's resources from nothing:\n\(leaks.joined(separator: "\n"))")
                    try await Self.listingsAreFiltered(world, cluster)
                    try await Self.accessChangesReachEveryService(world, cluster)
                    try await Self.eventsArriveSigned(world, consumer)
                    try Self.passwordsNeverInClear(cluster, engine: engine)
                    try await Self.passwordsNeverInPostgres(cluster)
                }
            }
        }
    }

    /// Sends every row as every persona. Returns the wrong answers, and where each row went as the
    /// owner (what the coverage check matches against the served documents).
    static func answers(_ rows: [Row], _ world: MatrixWorld, _ cluster: Cluster) async throws -> (failures: [String], targets: [Target]) {
        var failures: [String] = []
        var targets: [Target] = []
        for row in rows {
            for persona in Persona.allCases {
                let path = try await row.path(persona)
                if persona == .owner { targets.append(Target(service: row.service, method: row.method, path: path)) }
                let client = ServiceHTTP(base: cluster.url(row.service), token: world.tokens[persona])
                let (status, body) = row.upload
                    ? try await client.send(row.method, path, raw: Data(Multipart.body([("m.pdf", Array("%PDF-1.4".utf8), "")], fields: [:]).1),
                                            contentType: "multipart/form-data; boundary=" + Multipart.lastBoundary)
                    : try await client.send(row.method, path, json: row.body(persona), headers: row.headers(persona))
                if status != row.expected(persona) {
                    failures.append("\(row.name) \(path) as \(persona): \(status), expected \(row.expected(persona)) \(body)")
                }
            }
        }
        return (failures, targets)
    }

    /// Listing endpoints answer 200 to everyone, but each sees only their own.
    static func listingsAreFiltered(_ world: MatrixWorld, _ cluster: Cluster) async throws {
        func accounts(_ persona: Persona) async throws -> Set<String> {
            let (_, page) = try await ServiceHTTP(base: cluster.url(.account), token: world.tokens[persona]).send(.GET, "/v1/accounts?limit=100")
            return Set((page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [])
        }
        // Employees also see the accounts they created during the matrix (creators are assigned).
        let assigned = try await accounts(.assigned)
        #expect(assigned.contains(world.accountA) && !assigned.contains(world.accountB))
        #expect(try await accounts(.unassigned).isDisjoint(with: [world.accountA, world.accountB]))
        #expect(try await accounts(.contact) == [world.accountA])
        #expect(try await accounts(.otherContact) == [world.accountB])
        #expect(try await accounts(.viewAll).isSuperset(of: [world.accountA, world.accountB]))
    }

    /// Giving and taking access in AccountService reaches ChatService and PipelineService through
    /// `account.access_updated`, without waiting for their caches to expire.
    static func accessChangesReachEveryService(_ world: MatrixWorld, _ cluster: Cluster) async throws {
        let owner = ServiceHTTP(base: cluster.url(.account), token: world.tokens[.owner])
        #expect(try await owner.send(.POST, "/v1/accounts/\(world.accountA)/access", json: [
            "give": [world.memberIDs[.unassigned]], "take": [world.memberIDs[.assigned]],
        ]).status == 200)
        let chat = { (persona: Persona) in ServiceHTTP(base: cluster.url(.chat), token: world.tokens[persona]) }
        let pipeline = { (persona: Persona) in ServiceHTTP(base: cluster.url(.pipeline), token: world.tokens[persona]) }
        try await eventually("chat and pipeline to follow the access change") {
            let taken = try await chat(.assigned).send(.GET, "/v1/threads/\(world.thread)").status
            let given = try await chat(.unassigned).send(.GET, "/v1/threads/\(world.thread)").status
            let givenJobs = try await pipeline(.unassigned).send(.GET, "/v1/chat-threads/\(world.completedThread)").status
            // The contact still sees the thread, but the member looking through their eyes no longer may.
            let viewTaken = try await chat(.portalView).send(.GET, "/v1/threads/\(world.thread)").status
            return taken == 404 && given == 200 && givenJobs == 200 && viewTaken == 404
        }
        #expect(try await ServiceHTTP(base: cluster.url(.account), token: world.tokens[.owner])
            .send(.PATCH, "/v1/accounts/\(world.accountA)/contacts/\(world.contactA)", json: ["portalAccess": false]).status == 200)
        try await eventually("chat to hide the account from a contact whose portal access was switched off") {
            try await chat(.contact).send(.GET, "/v1/threads/\(world.thread)").status == 404
        }
        // Taking a right away makes every service refuse the tokens that still claim it.
        #expect(try await owner.send(.PATCH, "/v1/team-members/\(world.memberIDs[.viewAll] ?? "")", json: ["rights": []]).status == 200)
        try await eventually("chat and doc to refuse the view-all employee's older token") {
            let chatStatus = try await chat(.viewAll).send(.GET, "/v1/threads/\(world.thread)").status
            let docStatus = try await ServiceHTTP(base: cluster.url(.doc), token: world.tokens[.viewAll])
                .send(.GET, "/v1/accounts/\(world.accountB)/folders").status
            return chatStatus == 401 && docStatus == 401
        }
    }

    /// Tag and access changes reach a subscriber as signed events (the consumer verifies every signature).
    static func eventsArriveSigned(_ world: MatrixWorld, _ consumer: TestConsumer) async throws {
        let types = { await consumer.bodies.compactMap { try? JSON.object($0)["type"] as? String } }
        try await eventually("tag and access events at the subscriber") {
            let seen = Set(await types())
            return seen.isSuperset(of: ["account.tags_updated", "account.access_updated", "account.invitation_created"])
        }
        #expect(await consumer.refusals == 0, "every delivery carried a valid signature")
    }

    /// No password appears in any service's log or SQLite file.
    static func passwordsNeverInClear(_ cluster: Cluster, engine: TestEngine) throws {
        let root = URL(fileURLWithPath: cluster.topology.dataDirectory)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let candidates = files.filter { $0.pathExtension == "log" || $0.lastPathComponent.contains(".sqlite") }
        #expect(candidates.contains { $0.pathExtension == "log" }, "the services wrote logs to check")
        for file in candidates {
            let bytes = (try? Data(contentsOf: file)) ?? Data()
            #expect(bytes.range(of: Data(password.utf8)) == nil, "\(file.lastPathComponent) holds a password in clear")
        }
    }

    /// On PostgreSQL, no row of any service's table holds a password in clear.
    static func passwordsNeverInPostgres(_ cluster: Cluster) async throws {
        guard let url = cluster.topology.databaseURL else { return }
        let database = try await Database.open(url: url, schema: "public", sqlitePath: "", logger: Logger(label: "matrix-check"))
        do {
            var tables = 0
            for service in ServiceName.allCases {
                let schema = cluster.topology.schemaPrefix + service.rawValue
                let names = try await database.sql.raw("""
                    SELECT table_name FROM information_schema.tables WHERE table_schema = \(bind: schema)
                    """).all().map { try $0.decode(column: "table_name", as: String.self) }
                for table in names {
                    tables += 1
                    // A whole row cast to text covers every column, whatever its type.
                    let hits = try await database.sql.raw("""
                        SELECT count(*) AS hits FROM \(ident: schema).\(ident: table) AS r WHERE strpos(r::text, \(bind: password)) > 0
                        """).first()?.decode(column: "hits", as: Int.self)
                    #expect(hits == 0, "\(schema).\(table) holds a password in clear")
                }
            }
            #expect(tables > 20, "the check saw every service's tables (\(tables))")
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
    }
}
