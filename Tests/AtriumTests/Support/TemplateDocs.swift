import AccountService
import AtriumRuntime
import DocService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing

/// DocService in process, for the folder template tests: JSON requests as any caller, the account's
/// folder paths, and the `doc.folder_template.applied` events its outbox holds.
struct TemplateDocs: Sendable {
    let client: any TestClientProtocol
    let storage: TestStorage
    let owner: String

    /// acct_1 has the assigned employees `mem_docs` (with "manage documents") and `mem_plain`, and
    /// contact `con_1`; acct_2 nobody in particular; acct_other is firm_other's.
    static let directory = FixedDirectory(grants: [
        "acct_1": AccountGrant(accountID: "acct_1", firmID: "firm_test", version: 1, memberIDs: ["mem_docs", "mem_plain"], contactIDs: ["con_1"]),
        "acct_2": AccountGrant(accountID: "acct_2", firmID: "firm_test", version: 1, memberIDs: [], contactIDs: []),
        "acct_other": AccountGrant(accountID: "acct_other", firmID: "firm_other", version: 1, memberIDs: [], contactIDs: []),
    ])

    /// Runs `body` against a fresh DocService on `engine`.
    static func with(_ engine: TestEngine, _ body: @escaping @Sendable (TemplateDocs) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await DocService.buildApplication(try TestConfiguration.make(.doc, storage: storage), directory: directory)
            let owner = try await TestConfiguration.memberToken()
            try await app.test(.router) { client in try await body(TemplateDocs(client: client, storage: storage, owner: owner)) }
        }
    }

    /// A folder of a template's structure, as the API takes it.
    static func node(_ name: String, _ children: [String: Any]...) -> [String: Any] {
        children.isEmpty ? ["name": name] : ["name": name, "children": children]
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as token: String? = nil, key: String? = nil)
        async throws -> (status: HTTPResponse.Status, json: [String: Any], replayed: Bool)
    {
        var headers = HTTPFields.bearer(token ?? owner)
        if let key { headers[.idempotencyKey] = key }
        return try await client.execute(uri: uri, method: method, headers: headers, body: try body.map(JSON.buffer)) {
            ($0.status, $0.json, $0.headers[.idempotentReplayed] == "true")
        }
    }

    /// Creates a template as the owner and returns its id.
    func template(_ name: String, _ folders: [[String: Any]]) async throws -> String {
        let (status, json, _) = try await send(.post, "/v1/folder-templates", ["name": name, "folders": folders])
        #expect(status == .created, "\(json)")
        return try #require(json["id"] as? String)
    }

    func apply(_ template: String, to account: String = "acct_1", as token: String? = nil, key: String? = nil)
        async throws -> (status: HTTPResponse.Status, json: [String: Any], replayed: Bool)
    {
        try await send(.post, "/v1/accounts/\(account)/folder-templates/\(template)/apply", as: token, key: key)
    }

    /// Creates a folder as the owner and returns its id.
    func folder(_ name: String, in parent: String? = nil, account: String = "acct_1") async throws -> String {
        var body: [String: Any] = ["name": name]
        body["parentId"] = parent
        let (status, json, _) = try await send(.post, "/v1/accounts/\(account)/folders", body)
        #expect(status == .created, "\(json)")
        return try #require(json["id"] as? String)
    }

    func paths(_ account: String = "acct_1") async throws -> [String] {
        let (_, json, _) = try await send(.get, "/v1/accounts/\(account)/folders")
        return (json["items"] as? [[String: Any]])?.compactMap { $0["path"] as? String } ?? []
    }

    /// The `data` of each `doc.folder_template.applied` event in DocService's outbox, oldest first.
    func appliedEvents() async throws -> [[String: Any]] {
        let database = try await Database.open(
            url: storage.engine.postgresURL, schema: storage.schemaPrefix + ServiceName.doc.rawValue,
            sqlitePath: storage.directory.appendingPathComponent("\(ServiceName.doc.rawValue).sqlite").path, logger: Logger(label: "template-events"))
        do {
            let rows = try await database.sql.raw("""
                SELECT payload FROM outbox_events WHERE type = 'doc.folder_template.applied' ORDER BY seq
                """).all()
            try await database.close()
            return try rows.map { row in
                let envelope = try JSON.object(Data(try row.decode(column: "payload", as: String.self).utf8))
                return envelope["data"] as? [String: Any] ?? [:]
            }
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// The paths of `items` (a list of folders in an answer).
    static func paths(_ items: Any?) -> [String] {
        (items as? [[String: Any]])?.compactMap { $0["path"] as? String } ?? []
    }

    /// A bearer header for a team member of firm_test.
    static func member(_ id: String, role: Caller.Role = .employee, rights: Set<String> = []) async throws -> String {
        "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .member, subject: id, firmID: "firm_test", role: role, rights: rights)))
    }

    static func contact(_ id: String) async throws -> String {
        "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .contact, subject: id, firmID: "firm_test")))
    }
}
