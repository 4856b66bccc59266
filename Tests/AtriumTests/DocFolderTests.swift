import AccountService
import AtriumRuntime
import DocService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// DocService's folder trees: SPEC "Documents" (each account has a folder tree; owners, admins and
/// "manage documents" employees organise it) on top of SPEC "People and access".
@Suite("DocService: folder trees and the \"manage documents\" right")
struct DocFolderTests {
    /// acct_1 has the assigned employees and contact con_1; acct_2 nobody in particular.
    static let directory = FixedDirectory(grants: [
        "acct_1": AccountGrant(accountID: "acct_1", firmID: "firm_test", version: 1, memberIDs: ["mem_docs", "mem_plain"], contactIDs: ["con_1"]),
        "acct_2": AccountGrant(accountID: "acct_2", firmID: "firm_test", version: 1, memberIDs: [], contactIDs: []),
    ])

    struct Docs {
        let client: any TestClientProtocol
        let owner: String

        func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as token: String? = nil) async throws
            -> (HTTPResponse.Status, [String: Any])
        {
            try await client.execute(uri: uri, method: method, headers: .bearer(token ?? owner), body: try body.map(JSON.buffer)) {
                ($0.status, $0.json)
            }
        }

        /// Creates a folder and returns its id.
        func folder(_ name: String, in parent: String? = nil, account: String = "acct_1") async throws -> String {
            var body: [String: Any] = ["name": name]
            body["parentId"] = parent
            let (status, json) = try await send(.post, "/v1/accounts/\(account)/folders", body)
            #expect(status == .created, "\(json)")
            return try #require(json["id"] as? String)
        }

        func paths(_ account: String = "acct_1", as token: String? = nil) async throws -> [String] {
            let (_, json) = try await send(.get, "/v1/accounts/\(account)/folders", as: token)
            return (json["items"] as? [[String: Any]])?.compactMap { $0["path"] as? String } ?? []
        }
    }

    func withDocs(_ engine: TestEngine = .sqlite, _ body: @escaping @Sendable (Docs) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await DocService.buildApplication(try TestConfiguration.make(.doc, storage: storage), directory: Self.directory)
            let owner = try await TestConfiguration.memberToken()
            try await app.test(.router) { client in try await body(Docs(client: client, owner: owner)) }
        }
    }

    static func member(_ id: String, rights: Set<String> = []) async throws -> String {
        "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .member, subject: id, firmID: "firm_test", role: .employee, rights: rights)))
    }

    @Test("nested folders list in path order; rename and move keep the tree whole", arguments: TestEngine.all)
    func tree(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let tax = try await docs.folder("Tax")
            let y2025 = try await docs.folder("2025", in: tax)
            let receipts = try await docs.folder("Receipts", in: y2025)
            _ = try await docs.folder("bank")
            #expect(try await docs.paths() == ["bank", "Tax", "Tax/2025", "Tax/2025/Receipts"])

            let renamed = try await docs.send(.patch, "/v1/folders/\(tax)", ["name": "Taxes"])
            #expect(renamed.0 == .ok && renamed.1["path"] as? String == "Taxes")
            let moved = try await docs.send(.patch, "/v1/folders/\(receipts)", ["parentId": ""])
            #expect(moved.0 == .ok && moved.1["path"] as? String == "Receipts" && moved.1["parentId"] == nil)
            #expect(try await docs.send(.patch, "/v1/folders/\(receipts)", ["parentId": y2025]).1["path"] as? String == "Taxes/2025/Receipts")
            #expect(try await docs.paths() == ["bank", "Taxes", "Taxes/2025", "Taxes/2025/Receipts"])
        }
    }

    @Test("refused with a clear problem: bad names, duplicate names in any case, loops, foreign parents, non-empty deletes", arguments: TestEngine.all)
    func refusals(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let tax = try await docs.folder("Tax")
            let inner = try await docs.folder("2025", in: tax)
            for bad in ["", "   ", "a/b", "..", "tab\there", String(repeating: "x", count: 121)] {
                let (status, json) = try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": bad])
                #expect(status == .badRequest, "\(bad.debugDescription): \(json)")
            }
            let duplicate = try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": "TAX"])
            #expect(duplicate.0 == .conflict && duplicate.1["type"] as? String == "https://atrium.dev/problems/folder-name-taken")
            _ = try await docs.folder("Tax", in: inner)
            #expect(try await docs.send(.patch, "/v1/folders/\(inner)", ["parentId": ""]).0 == .ok, "2025 may sit beside Tax")
            #expect(try await docs.send(.patch, "/v1/folders/\(inner)", ["name": "tax"]).0 == .conflict, "but not be renamed to its sibling's name")
            #expect(try await docs.send(.patch, "/v1/folders/\(inner)", ["parentId": tax]).0 == .ok)
            let loop = try await docs.send(.patch, "/v1/folders/\(tax)", ["parentId": inner])
            #expect(loop.0 == .conflict && loop.1["type"] as? String == "https://atrium.dev/problems/invalid-move")
            #expect(try await docs.send(.patch, "/v1/folders/\(tax)", ["parentId": tax]).0 == .conflict)
            let elsewhere = try await docs.folder("Elsewhere", account: "acct_2")
            #expect(try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": "X", "parentId": elsewhere]).0 == .badRequest)
            #expect(try await docs.send(.patch, "/v1/folders/\(tax)", ["parentId": elsewhere]).0 == .badRequest)
            let notEmpty = try await docs.send(.delete, "/v1/folders/\(tax)")
            #expect(notEmpty.0 == .conflict && notEmpty.1["type"] as? String == "https://atrium.dev/problems/folder-not-empty")
            #expect(try await docs.send(.delete, "/v1/folders/fld_missing").0 == .notFound)
            #expect(try await docs.paths() == ["Tax", "Tax/2025", "Tax/2025/Tax"], "nothing refused changed anything")
        }
    }

    @Test("a tree nests at most 20 levels, whether built or moved there")
    func depth() async throws {
        try await withDocs { docs in
            var parent: String?
            var ids: [String] = []
            for level in 1...20 {
                parent = try await docs.folder("L\(level)", in: parent)
                ids.append(parent ?? "")
            }
            #expect(try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": "L21", "parentId": parent ?? ""]).0 == .conflict)
            let side = try await docs.folder("Side")
            _ = try await docs.folder("Child", in: side)
            #expect(try await docs.send(.patch, "/v1/folders/\(side)", ["parentId": ids[18]]).0 == .conflict, "19 + 2 levels")
            #expect(try await docs.send(.patch, "/v1/folders/\(side)", ["parentId": ids[17]]).0 == .ok, "18 + 2 levels")
        }
    }

    @Test("two people creating the same folder at once: one gets it, the other a 409", arguments: TestEngine.all)
    func concurrentCreates(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": "Payroll"]).0 }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            #expect(try await docs.paths() == ["Payroll"])
        }
    }

    @Test("who organises folders: owners, admins, \"manage documents\" on accounts they see; everyone who sees the account lists them")
    func rights() async throws {
        try await withDocs { docs in
            let tax = try await docs.folder("Tax")
            let withRight = try await Self.member("mem_docs", rights: [Rights.manageDocuments])
            let plain = try await Self.member("mem_plain")
            let outsider = try await Self.member("mem_out", rights: [Rights.manageDocuments])
            let contact = "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .contact, subject: "con_1", firmID: "firm_test")))
            let admin = try await TestConfiguration.memberToken(id: "mem_admin", role: .admin)
            let stranger = try await TestConfiguration.memberToken(firm: "firm_other", id: "mem_x")

            #expect(try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": "By right"], as: withRight).0 == .created)
            #expect(try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": "By admin"], as: admin).0 == .created)
            let refused = try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": "Plain"], as: plain)
            #expect(refused.0 == .forbidden && (refused.1["detail"] as? String)?.contains("manage documents") == true)
            #expect(try await docs.send(.patch, "/v1/folders/\(tax)", ["name": "Mine"], as: plain).0 == .forbidden)
            #expect(try await docs.send(.delete, "/v1/folders/\(tax)", as: contact).0 == .forbidden)
            #expect(try await docs.send(.post, "/v1/accounts/acct_1/folders", ["name": "Client"], as: contact).0 == .forbidden)
            #expect(try await docs.send(.post, "/v1/accounts/acct_2/folders", ["name": "Other"], as: outsider).0 == .notFound,
                    "the right does not reach accounts the member cannot see")
            #expect(try await docs.send(.patch, "/v1/folders/\(tax)", ["name": "Mine"], as: outsider).0 == .notFound)
            #expect(try await docs.send(.get, "/v1/accounts/acct_1/folders", as: stranger).0 == .notFound)
            #expect(try await docs.send(.delete, "/v1/folders/\(tax)", as: stranger).0 == .notFound)

            let expected = ["By admin", "By right", "Tax"]
            #expect(try await docs.paths(as: plain) == expected)
            #expect(try await docs.paths(as: contact) == expected)
            #expect(try await docs.send(.get, "/v1/accounts/acct_2/folders", as: contact).0 == .notFound)
            #expect(try await docs.send(.delete, "/v1/folders/\(tax)", as: withRight).0 == .noContent)
        }
    }
}
