import AccountService
import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("AccountService: sign-up, sign-in, tokens, team and accounts")
struct AccountServiceTests {
    static let password = "correct horse battery"

    func withAccount(_ engine: TestEngine = .sqlite, overrides: [String: String] = [:],
                     _ body: @escaping @Sendable (any TestClientProtocol, TestStorage) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await AccountService.buildApplication(try TestConfiguration.make(.account, storage: storage, overrides: overrides))
            try await app.test(.router) { client in try await body(client, storage) }
        }
    }

    static func signup(_ client: any TestClientProtocol, email: String = "owner@firm.example") async throws -> [String: Any] {
        let body: [String: Any] = ["firmName": "Ledger & Co", "owner": ["email": email, "firstName": "Olive", "lastName": "Owner",
                                                                        "password": password]]
        return try await client.execute(uri: "/v1/firms", method: .post, headers: [.contentType: "application/json"],
                                         body: try JSON.buffer(body)) { response in
            #expect(response.status == .created)
            return try JSON.object(response.body)
        }
    }

    static func login(_ client: any TestClientProtocol, email: String = "owner@firm.example", password: String = password) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: "/v1/auth/token", method: .post, headers: [.contentType: "application/json"],
                                 body: try JSON.buffer(["email": email, "password": password])) { ($0.status, $0.json) }
    }

    @Test("a firm signs up; its owner's token works everywhere; the password is stored only as bcrypt", arguments: TestEngine.all)
    func signup(engine: TestEngine) async throws {
        try await withAccount(engine) { client, storage in
            let result = try await Self.signup(client)
            let tokens = try #require(result["tokens"] as? [String: Any])
            let access = try #require(tokens["accessToken"] as? String)
            try await client.execute(uri: "/v1/me", method: .get, headers: .bearer("Bearer \(access)")) { response in
                #expect(response.status == .ok)
                #expect(response.json["role"] as? String == "owner")
                #expect(response.json["email"] as? String == "owner@firm.example")
                #expect(response.json["password"] == nil && response.json["passwordHash"] == nil)
            }
            let caller = try await TestConfiguration.verifier().verify(access)
            #expect(caller.kind == .member && caller.role == .owner)
            if engine.postgresURL == nil {
                let files = try FileManager.default.contentsOfDirectory(atPath: storage.directory.path).filter { $0.hasPrefix("account.sqlite") }
                for file in files {
                    let bytes = try Data(contentsOf: storage.directory.appendingPathComponent(file))
                    #expect(bytes.range(of: Data(Self.password.utf8)) == nil, "\(file) holds the password in clear")
                }
            }
        }
    }

    @Test("sign-up refuses bad input and a taken e-mail with a reason")
    func signupRefusals() async throws {
        try await withAccount { client, _ in
            _ = try await Self.signup(client)
            for (owner, expected, field) in [
                (["email": "not-an-email", "firstName": "A", "lastName": "B", "password": Self.password], HTTPResponse.Status.badRequest, "email"),
                (["email": "a@b.example", "firstName": "A", "lastName": "B", "password": "short"], .badRequest, "password"),
                (["email": "a@b.example", "firstName": " ", "lastName": "B", "password": Self.password], .badRequest, "firstName"),
                (["email": "OWNER@firm.example", "firstName": "A", "lastName": "B", "password": Self.password], .conflict, "e-mail"),
            ] {
                try await client.execute(uri: "/v1/firms", method: .post, headers: [.contentType: "application/json"],
                                         body: try JSON.buffer(["firmName": "X", "owner": owner])) { response in
                    #expect(response.status == expected, "\(owner)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect((response.json["detail"] as? String)?.contains(field) == true)
                }
            }
        }
    }

    @Test("wrong passwords are 401, then the account locks with 429 even for the right password")
    func lockout() async throws {
        try await withAccount(overrides: ["ATRIUM_SIGNIN_ACCOUNT_BURST": "5"]) { client, _ in
            _ = try await Self.signup(client)
            #expect(try await Self.login(client, email: "nobody@firm.example").0 == .unauthorized)
            for _ in 0..<5 {
                let (status, problem) = try await Self.login(client, password: "wrong password!")
                #expect(status == .unauthorized, "\(problem)")
            }
            let (status, problem) = try await Self.login(client)
            #expect(status == .tooManyRequests)
            #expect(problem["type"] as? String == "https://atrium.dev/problems/too-many-attempts")
        }
    }

    @Test("refresh tokens rotate; reusing an old one ends every session of the member")
    func refreshRotation() async throws {
        try await withAccount { client, _ in
            let first = try #require(try await Self.signup(client)["tokens"] as? [String: Any])
            let refresh = { (token: Any?) async throws -> (HTTPResponse.Status, [String: Any]) in
                try await client.execute(uri: "/v1/auth/refresh", method: .post, headers: [.contentType: "application/json"],
                                         body: try JSON.buffer(["refreshToken": token as? String ?? ""])) { ($0.status, $0.json) }
            }
            let (status, second) = try await refresh(first["refreshToken"])
            #expect(status == .ok)
            #expect(second["refreshToken"] as? String != first["refreshToken"] as? String)
            #expect(try await refresh(first["refreshToken"]).0 == .unauthorized)
            #expect(try await refresh(second["refreshToken"]).0 == .unauthorized, "reuse revoked the newer token too")
            #expect(try await refresh("made-up").0 == .unauthorized)
        }
    }

    @Test("only owners and admins add team members; only owners add owners; accounts stay within their firm")
    func teamAndAccounts() async throws {
        try await withAccount { client, _ in
            let owner = "Bearer " + (try #require((try await Self.signup(client)["tokens"] as? [String: Any])?["accessToken"] as? String))
            let member = { (role: String, email: String) -> [String: Any] in
                ["email": email, "firstName": "E", "lastName": "M", "password": Self.password, "role": role]
            }
            let add = { (token: String, body: [String: Any]) async throws -> HTTPResponse.Status in
                try await client.execute(uri: "/v1/team-members", method: .post, headers: .bearer(token), body: try JSON.buffer(body)) { $0.status }
            }
            #expect(try await add(owner, member("admin", "admin@firm.example")) == .created)
            #expect(try await add(owner, member("employee", "emp@firm.example")) == .created)
            let admin = "Bearer " + (try #require(try await Self.login(client, email: "admin@firm.example").1["accessToken"] as? String))
            let employee = "Bearer " + (try #require(try await Self.login(client, email: "emp@firm.example").1["accessToken"] as? String))
            #expect(try await add(employee, member("employee", "x@firm.example")) == .forbidden)
            #expect(try await add(admin, member("owner", "y@firm.example")) == .forbidden)
            #expect(try await add(admin, member("employee", "z@firm.example")) == .created)
            try await client.execute(uri: "/v1/team-members", method: .get, headers: .bearer(employee)) { response in
                #expect((response.json["items"] as? [Any])?.count == 4)
            }
            let account = try await client.execute(uri: "/v1/accounts", method: .post, headers: .bearer(employee),
                                                   body: try JSON.buffer(["name": "Acme Ltd", "kind": "company"])) { response in
                #expect(response.status == .created)
                return response.json["id"] as? String ?? ""
            }
            try await client.execute(uri: "/v1/accounts/\(account)", method: .get, headers: .bearer(owner)) { #expect($0.status == .ok) }
            let stranger = try await TestConfiguration.memberToken(firm: "firm_elsewhere")
            try await client.execute(uri: "/v1/accounts/\(account)", method: .get, headers: .bearer(stranger)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/accounts", method: .post, headers: .bearer(owner),
                                     body: try JSON.buffer(["name": "Bad", "kind": "alien"])) { #expect($0.status == .badRequest) }
        }
    }
}
