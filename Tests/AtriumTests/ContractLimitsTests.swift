@testable import AccountService
import AtriumRuntime
@testable import ChatService
@testable import DocService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Testing
import Yams

/// The limits the OpenAPI documents state are the limits the code enforces: the numbers are read
/// from the documents, and each validation must accept the edges and refuse one past them.
/// Lengths are in code points, as JSON Schema counts them ("é" is one, though two bytes).
@Suite("Contracts and code agree")
struct ContractLimitsTests {
    /// The `minLength`/`maxLength` of `schema.property` in `document`.
    static func limits(_ document: String, _ schema: String, _ property: String) throws -> (min: Int, max: Int) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Shared/Contracts/\(document)/openapi.yaml")
        let yaml = try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
        let schemas = try #require((yaml["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let properties = try #require((schemas[schema] as? [String: Any])?["properties"] as? [String: Any])
        let field = try #require(properties[property] as? [String: Any], "\(document) \(schema).\(property)")
        let max = try #require(field["maxLength"] as? Int, "\(document) \(schema).\(property) has no maxLength")
        return (field["minLength"] as? Int ?? 0, max)
    }

    /// Whether `accepts` takes strings of exactly the contract's edges and refuses one past them.
    static func check(_ document: String, _ schema: String, _ property: String, unit: String = "é",
                      _ accepts: (String) async throws -> Bool) async throws {
        let (min, max) = try limits(document, schema, property)
        let text = { (count: Int) in String(repeating: unit, count: count) }
        #expect(try await accepts(text(max)), "\(schema).\(property): \(max) characters must be accepted")
        #expect(try await !accepts(text(max + 1)), "\(schema).\(property): \(max + 1) characters must be refused")
        if min > 0 {
            #expect(try await accepts(text(min)), "\(schema).\(property): \(min) characters must be accepted")
            #expect(try await !accepts(text(min - 1)), "\(schema).\(property): \(min - 1) characters must be refused")
        }
    }

    static func succeeds(_ body: () throws -> Any) -> Bool {
        (try? body()) != nil
    }

    @Test("AccountAPI: passwords, names and e-mail addresses")
    func account() async throws {
        for schema in ["TeamMemberInput", "InvitationAcceptance"] {
            try await Self.check("AccountAPI", schema, "password") { text in Self.succeeds { try InputValidation.password(text) } }
        }
        for schema in ["LoginInput", "ContactLoginInput"] {
            try await Self.check("AccountAPI", schema, "password") { text in Self.succeeds { try InputValidation.signIn(email: "a@b.example", password: text) } }
        }
        for (schema, property, max) in [("FirmSignup", "firmName", 200), ("AccountInput", "name", 200), ("AccountChange", "name", 200),
                                        ("TagInput", "name", 60), ("TeamMemberInput", "firstName", 100), ("ContactInput", "lastName", 100),
                                        ("ContactChange", "firstName", 100)] {
            // The handlers pass their own maximum; it must be the document's.
            #expect(try Self.limits("AccountAPI", schema, property).max == max, "\(schema).\(property)")
            try await Self.check("AccountAPI", schema, property) { text in Self.succeeds { try InputValidation.name(text, field: property, max: max) } }
        }
        for schema in ["TeamMemberInput", "ContactInput"] {
            let max = try Self.limits("AccountAPI", schema, "email").max
            let address = { (length: Int) in String(repeating: "a", count: 60) + "@" + String(repeating: "é", count: length - 69) + ".example" }
            #expect(Self.succeeds { try InputValidation.email(address(max)) }, "\(schema).email: \(max) characters")
            #expect(!Self.succeeds { try InputValidation.email(address(max + 1)) }, "\(schema).email: \(max + 1) characters")
        }
    }

    @Test("DocAPI: folder names")
    func doc() async throws {
        for schema in ["FolderInput", "FolderChange"] {
            try await Self.check("DocAPI", schema, "name") { text in Self.succeeds { try FolderName.validate(text) } }
        }
    }

    @Test("ChatAPI: a thread's subject")
    func chat() async throws {
        try await TestStorage.with(.sqlite) { storage in
            let app = try await ChatService.buildApplication(
                try TestConfiguration.make(.chat, storage: storage),
                dependencies: ChatDependencies(directory: FixedDirectory(), people: FixedPeople(), catalog: FixedCatalog()))
            let token = try await TestConfiguration.memberToken()
            try await app.test(.router) { client in
                try await Self.check("ChatAPI", "ThreadInput", "subject") { subject in
                    try await client.execute(uri: "/v1/threads", method: .post, headers: .bearer(token),
                                             body: try JSON.buffer(["accountId": "acct_1", "subject": subject, "text": "Hello"])) { $0.status == .created }
                }
            }
        }
    }

    @Test("a 200-character passphrase is stored whole: changing its last character fails; old bcrypt hashes still verify")
    func longPassphrases() async throws {
        let hasher = PasswordHasher(cost: 4, limiter: HashingLimiter(slots: 1))
        let passphrase = String(repeating: "correct horse battery staple ", count: 7).prefix(199) + "!"
        #expect(passphrase.count == 200)
        let hash = try await hasher.hash(String(passphrase))
        #expect(hash.hasPrefix(PasswordHasher.marker))
        #expect(try await hasher.verify(String(passphrase), hash: hash))
        #expect(try await !hasher.verify(String(passphrase.dropLast()) + "?", hash: hash), "bcrypt alone would ignore everything past 72 bytes")
        let composed = try await hasher.hash("\u{e9}tude for a long winter")
        #expect(try await hasher.verify("e\u{301}tude for a long winter", hash: composed), "another Unicode normal form of the same text is the same password")
        let legacy = Bcrypt.hash("an old password", cost: 4)
        #expect(try await hasher.verify("an old password", hash: legacy))
        #expect(try await !hasher.verify("another password", hash: legacy))
    }

    @Test("sign-up, sign-in and invitation acceptance take a 200-character passphrase")
    func longPassphraseOverHTTP() async throws {
        try await TestStorage.with(.sqlite) { storage in
            let app = try await AccountService.buildApplication(try TestConfiguration.make(.account, storage: storage))
            let passphrase = String(repeating: "é", count: 190) + "0123456789"
            try await app.test(.router) { client in
                let owner: [String: Any] = ["email": "o@firm.example", "firstName": "O", "lastName": "W", "password": passphrase]
                try await client.execute(uri: "/v1/firms", method: .post, headers: [.contentType: "application/json"],
                                         body: try JSON.buffer(["firmName": "F", "owner": owner])) { #expect($0.status == .created) }
                for (password, expected) in [(passphrase, HTTPResponse.Status.ok), (String(passphrase.dropLast()) + "8", .unauthorized),
                                             (passphrase + "x", .badRequest)] {
                    try await client.execute(uri: "/v1/auth/token", method: .post, headers: [.contentType: "application/json"],
                                             body: try JSON.buffer(["email": "o@firm.example", "password": password])) {
                        #expect($0.status == expected)
                    }
                }
            }
        }
    }
}
