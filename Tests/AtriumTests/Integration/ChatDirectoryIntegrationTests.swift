import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// ChatService's rules that hang on the directory, against the real AccountService: recipients,
/// @mentions, a person's list across accounts, templates' names and bulk sends' lookups.
@Suite("ChatService with the real directory (real processes)")
struct ChatDirectoryIntegrationTests {
    @Test("recipients, mentions, personal lists, template names and bulk sends, answered by the real AccountService", arguments: TestEngine.all)
    func rulesAgainstTheDirectory(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let firm = try await ChatIntegrationTests.Firm.make(cluster)
            let accounts = ServiceHTTP(base: cluster.url(.account), token: firm.owner)
            // A second account, an employee assigned to the first only, another not assigned at all.
            let second = try #require(try await accounts.send(.POST, "/v1/accounts", json: ["name": "Second Ltd", "kind": "company"]).json["id"] as? String)
            let (assignedID, assigned) = try await Self.employee(cluster, accounts, "ada")
            let (unassignedID, _) = try await Self.employee(cluster, accounts, "emil")
            #expect(try await accounts.send(.POST, "/v1/accounts/\(firm.account)/access", json: ["give": [assignedID]]).status == 200)
            let pending = try #require(try await accounts.send(.POST, "/v1/accounts/\(firm.account)/contacts", json: [
                "email": "pending-\(UInt32.random(in: 0...UInt32.max))@attach.example", "firstName": "Penny", "lastName": "Pending", "portalAccess": true,
            ]).json["id"] as? String)

            let refused = try await firm.chat.send(.POST, "/v1/threads", json: [
                "accountId": firm.account, "subject": "S", "text": "T", "recipientIds": [firm.contactID, pending],
            ])
            #expect(refused.status == 422 && (refused.json["detail"] as? String)?.contains("Penny Pending (\(pending)) has not activated their account") == true,
                    "\(refused.json)")
            let thread = try await firm.chat.send(.POST, "/v1/threads", json: ["accountId": firm.account, "subject": "Year end", "text": "Hello"])
            let id = try #require(thread.json["id"] as? String)
            #expect(thread.json["recipientIds"] as? [String] == [firm.contactID])
            let mention = try await firm.chat.send(.POST, "/v1/threads/\(id)/messages", json: ["text": "@both", "mentions": [assignedID, unassignedID]])
            #expect(mention.status == 422 && (mention.json["detail"] as? String)?.contains("(\(unassignedID)) cannot see this account") == true,
                    "\(mention.json)")
            #expect(try await firm.chat.send(.POST, "/v1/threads/\(id)/messages", json: ["text": "@Ada", "mentions": [assignedID]]).status == 201)

            // The assigned employee's own list: the first account's thread, none of the second's.
            #expect(try await firm.chat.send(.POST, "/v1/threads", json: ["accountId": second, "subject": "Other", "text": "x"]).status == 422,
                    "the second account has no contact who can receive")
            let mine = try await ServiceHTTP(base: cluster.url(.chat), token: assigned).send(.GET, "/v1/threads")
            #expect(Self.ids(mine.json) == [id], "\(mine.json)")

            // A template filled from the real account and firm; a bulk send judged account by account.
            let template = try #require(try await firm.chat.send(.POST, "/v1/chat-templates", json: [
                "name": "Names", "subject": "[ACCOUNT_NAME] and [FIRM_NAME]", "body": "Dear [CONTACT_FIRST_NAME]",
            ]).json["id"] as? String)
            let named = try await firm.chat.send(.POST, "/v1/threads", json: ["accountId": firm.account, "templateId": template])
            #expect(named.json["subject"] as? String == "Attach & Co and Skeleton & Sons", "\(named.json)")
            let bulk = try #require(try await firm.chat.send(.POST, "/v1/bulk-sends", json: [
                "accountIds": [firm.account, second], "templateId": template,
            ]).json["id"] as? String)
            var done: [String: Any] = [:]
            try await eventually("the bulk send to finish") {
                done = try await firm.chat.send(.GET, "/v1/bulk-sends/\(bulk)").json
                return done["status"] as? String == "done"
            }
            #expect(done["sent"] as? Int == 1 && done["skipped"] as? Int == 1, "\(done)")
            let items = try await firm.chat.send(.GET, "/v1/bulk-sends/\(bulk)/items").json["items"] as? [[String: Any]] ?? []
            #expect(items.first { $0["accountId"] as? String == second }?["reason"] as? String == "no_eligible_contact")
        }
    }

    static func ids(_ page: [String: Any]) -> [String] {
        (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// An employee with a password, signed in; their id and bearer header.
    static func employee(_ cluster: Cluster, _ accounts: ServiceHTTP, _ name: String) async throws -> (String, String) {
        let email = "\(name)-\(UInt32.random(in: 0...UInt32.max))@skeleton.example"
        let made = try await accounts.send(.POST, "/v1/team-members", json: [
            "email": email, "firstName": name.capitalized, "lastName": "Employee", "password": "a long enough password", "role": "employee",
        ])
        let id = try #require(made.json["id"] as? String, "\(made.json)")
        let login = try await ServiceHTTP(base: cluster.url(.account)).send(.POST, "/v1/auth/token", json: ["email": email, "password": "a long enough password"])
        return (id, "Bearer " + (try #require(login.json["accessToken"] as? String, "\(login.json)")))
    }
}
