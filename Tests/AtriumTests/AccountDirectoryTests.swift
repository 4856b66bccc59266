import AccountService
import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The directory of SPEC "People and access" in AccountService alone: firm settings and activity,
/// the team, contacts and their sign-in, account search, access and recipients.
@Suite("AccountService: the directory — settings, team, contacts, access, recipients")
struct AccountDirectoryTests {
    static let password = AccountServiceTests.password

    /// A signed-up firm with a live consumer subscribed to every AccountService event.
    struct Firm {
        let client: any TestClientProtocol
        let owner: String
        let firmID: String
        let consumer: TestConsumer

        func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as token: String? = nil) async throws
            -> (HTTPResponse.Status, [String: Any])
        {
            try await client.execute(uri: uri, method: method, headers: token == "" ? [:] : .bearer(token ?? owner),
                                     body: try body.map(JSON.buffer)) { ($0.status, $0.json) }
        }

        func id(_ response: (HTTPResponse.Status, [String: Any]), _ expected: HTTPResponse.Status = .created) throws -> String {
            #expect(response.0 == expected, "\(response.1)")
            return try #require(response.1["id"] as? String)
        }

        /// Events of `type` the consumer received, as `data` objects.
        func events(_ type: String) async -> [[String: Any]] {
            await consumer.bodies.compactMap { try? JSON.object($0) }.filter { $0["type"] as? String == type }
                .compactMap { $0["data"] as? [String: Any] }
        }

        /// The invitation token most recently sent to `subject`.
        func invitationToken(for subject: String) async throws -> String {
            try await eventually("the invitation of \(subject)") {
                await events("account.invitation_created").contains { $0["subjectId"] as? String == subject }
            }
            let event = try #require(await events("account.invitation_created").last { $0["subjectId"] as? String == subject })
            #expect(event["token"] == nil, "an invitation event carries no secret")
            let invitation = try #require(event["invitationId"] as? String)
            // The token comes only from AccountService, and only to NotifyService.
            let link = try await send(.get, "/v1/invitations/\(invitation)/link", as: try await TestConfiguration.serviceToken("notify-service"))
            #expect(link.0 == .ok, "\(link.1)")
            return try #require(link.1["token"] as? String)
        }

        /// Adds a team member with a password and signs them in; returns (id, bearer).
        func member(_ email: String, role: String = "employee", rights: [String] = []) async throws -> (String, String) {
            let id = try id(try await send(.post, "/v1/team-members", [
                "email": email, "firstName": "Emma", "lastName": "Ployee", "password": password, "role": role, "rights": rights,
            ]))
            let login = try await send(.post, "/v1/auth/token", ["email": email, "password": password], as: "")
            return (id, "Bearer " + (try #require(login.1["accessToken"] as? String)))
        }

        /// Adds a contact to `account` with portal access, invites and activates them; returns (id, bearer).
        func activeContact(_ email: String, account: String) async throws -> (String, String) {
            let id = try id(try await send(.post, "/v1/accounts/\(account)/contacts", [
                "email": email, "firstName": "Cora", "lastName": "Client", "portalAccess": true,
            ]))
            #expect(try await send(.post, "/v1/accounts/\(account)/contacts/\(id)/invitation").0 == .accepted)
            let accepted = try await send(.post, "/v1/invitations/accept", ["token": try await invitationToken(for: id), "password": password], as: "")
            #expect(accepted.0 == .ok)
            return (id, "Bearer " + (try #require(accepted.1["accessToken"] as? String)))
        }
    }

    func withFirm(_ engine: TestEngine = .sqlite, _ body: @escaping @Sendable (Firm) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                let app = try await AccountService.buildApplication(try TestConfiguration.make(.account, storage: storage))
                try await app.test(.router) { client in
                    let signup = try await AccountServiceTests.signup(client)
                    let owner = "Bearer " + (try #require((signup["tokens"] as? [String: Any])?["accessToken"] as? String))
                    let firmID = try #require((signup["firm"] as? [String: Any])?["id"] as? String)
                    let firm = Firm(client: client, owner: owner, firmID: firmID, consumer: consumer)
                    // A service's subscription, as NotifyService has: invitation events are internal to Atrium.
                    let subscribed = try await firm.send(.put, "/v1/webhooks/subscriptions/all", [
                        "url": url, "secret": TestConsumer.secret,
                        "eventTypes": ["account.access_updated", "account.member_updated", "account.firm_settings_updated",
                                       "account.invitation_created"],
                    ], as: try await TestConfiguration.serviceToken("notify-service", to: .account))
                    #expect(subscribed.0 == .created)
                    try await body(firm)
                }
            }
        }
    }

    @Test("firm settings: spec defaults; owners change them, each change is in the activity feed and announced", arguments: TestEngine.all)
    func firmSettings(engine: TestEngine) async throws {
        try await withFirm(engine) { firm in
            let (_, employee) = try await firm.member("emp@firm.example")
            let (status, details) = try await firm.send(.get, "/v1/firms/\(firm.firmID)", as: employee)
            #expect(status == .ok)
            let defaults = try #require(details["settings"] as? [String: Any])
            #expect(defaults["clientsMayStartChats"] as? Bool == true && defaults["showContentInEmails"] as? Bool == false)
            #expect(defaults["reminderDays"] as? Int == 3 && defaults["reminderCount"] as? Int == 1)

            let changed = try await firm.send(.patch, "/v1/firms/\(firm.firmID)/settings", ["clientsMayStartChats": false, "reminderDays": 5])
            #expect(changed.0 == .ok && changed.1["clientsMayStartChats"] as? Bool == false && changed.1["reminderDays"] as? Int == 5)
            #expect(try await firm.send(.patch, "/v1/firms/\(firm.firmID)/settings", ["clientsMayStartChats": false]).0 == .ok, "a no-op")
            #expect(try await firm.send(.patch, "/v1/firms/\(firm.firmID)/settings", ["showContentInEmails": true], as: employee).0 == .forbidden)
            let invalid = try await firm.send(.patch, "/v1/firms/\(firm.firmID)/settings", ["reminderDays": 0])
            #expect(invalid.0 == .badRequest && (invalid.1["detail"] as? String)?.contains("reminderDays") == true)
            #expect(try await firm.send(.get, "/v1/firms/firm_elsewhere").0 == .notFound)

            let (feedStatus, feed) = try await firm.send(.get, "/v1/firms/\(firm.firmID)/activity")
            #expect(feedStatus == .ok)
            let newest = try #require((feed["items"] as? [[String: Any]])?.first)
            #expect(newest["action"] as? String == "firm.settings_updated")
            #expect(newest["summary"] as? String == "Olive Owner changed \"clients may start chats\" on → off; reminder days 3 → 5")
            #expect(try await firm.send(.get, "/v1/firms/\(firm.firmID)/activity", as: employee).0 == .forbidden)
            try await eventually("the settings change announced once") { await firm.events("account.firm_settings_updated").count == 1 }
        }
    }

    @Test("an invited member accepts with a password, once; the last owner can be neither demoted nor deactivated", arguments: TestEngine.all)
    func teamLifecycle(engine: TestEngine) async throws {
        try await withFirm(engine) { firm in
            let invited = try firm.id(try await firm.send(.post, "/v1/team-members", ["email": "new@firm.example", "firstName": "Nia", "lastName": "New", "role": "admin"]))
            #expect(try await firm.send(.get, "/v1/team-members/\(invited)").1["status"] as? String == "invited")
            #expect(try await firm.send(.post, "/v1/auth/token", ["email": "new@firm.example", "password": Self.password], as: "").0 == .unauthorized)
            let token = try await firm.invitationToken(for: invited)
            #expect(try await firm.send(.post, "/v1/invitations/accept", ["token": token, "password": "short"], as: "").0 == .badRequest)
            let accepted = try await firm.send(.post, "/v1/invitations/accept", ["token": token, "password": Self.password], as: "")
            #expect(accepted.0 == .ok)
            let again = try await firm.send(.post, "/v1/invitations/accept", ["token": token, "password": Self.password], as: "")
            #expect(again.0 == .badRequest && again.1["type"] as? String == "https://atrium.dev/problems/invalid-invitation")
            let admin = "Bearer " + (try #require(accepted.1["accessToken"] as? String))
            #expect(try await firm.send(.get, "/v1/me", as: admin).1["role"] as? String == "admin")

            let me = try #require(try await firm.send(.get, "/v1/me").1["id"] as? String)
            let demote = try await firm.send(.patch, "/v1/team-members/\(me)", ["role": "admin"])
            #expect(demote.0 == .conflict && demote.1["type"] as? String == "https://atrium.dev/problems/last-owner")
            #expect(try await firm.send(.patch, "/v1/team-members/\(me)", ["active": false]).0 == .conflict)
            #expect(try await firm.send(.patch, "/v1/team-members/\(me)", ["active": false], as: admin).0 == .forbidden, "admins do not touch owners")
            #expect(try await firm.send(.patch, "/v1/team-members/\(invited)", ["role": "owner"], as: admin).0 == .forbidden)
            #expect(try await firm.send(.patch, "/v1/team-members/\(invited)", ["role": "owner"]).0 == .ok)
            #expect(try await firm.send(.patch, "/v1/team-members/\(me)", ["role": "admin"]).0 == .ok, "no longer the last owner")
        }
    }

    @Test("deactivation takes effect at once: the old token, sign-in and refresh all stop working")
    func deactivation() async throws {
        try await withFirm { firm in
            let (id, employee) = try await firm.member("leaver@firm.example")
            let login = try await firm.send(.post, "/v1/auth/token", ["email": "leaver@firm.example", "password": Self.password], as: "")
            #expect(try await firm.send(.get, "/v1/me", as: employee).0 == .ok)
            let deactivated = try await firm.send(.patch, "/v1/team-members/\(id)", ["active": false])
            #expect(deactivated.0 == .ok && deactivated.1["status"] as? String == "deactivated")
            #expect(try await firm.send(.get, "/v1/me", as: employee).0 == .unauthorized)
            #expect(try await firm.send(.post, "/v1/auth/token", ["email": "leaver@firm.example", "password": Self.password], as: "").0 == .unauthorized)
            #expect(try await firm.send(.post, "/v1/auth/refresh", ["refreshToken": login.1["refreshToken"] as? String ?? ""], as: "").0 == .unauthorized)
            try await eventually("the deactivation announced") {
                await firm.events("account.member_updated").contains { $0["memberId"] as? String == id && $0["status"] as? String == "deactivated" }
            }
        }
    }

    @Test("a change of role, rights or status refuses tokens issued before it at once, even in the same second; a rename refuses none")
    func standing() async throws {
        try await withFirm { firm in
            let (id, before) = try await firm.member("riley@firm.example")
            let login = try await firm.send(.post, "/v1/auth/token", ["email": "riley@firm.example", "password": Self.password], as: "")
            let refreshToken = try #require(login.1["refreshToken"] as? String)
            #expect(try await firm.send(.patch, "/v1/team-members/\(id)", ["firstName": "Rilee"]).0 == .ok)
            #expect(try await firm.send(.get, "/v1/me", as: before).0 == .ok, "a new name changes nothing a token says")

            #expect(try await firm.send(.patch, "/v1/team-members/\(id)", ["rights": ["view_all_accounts"]]).0 == .ok)
            let refused = try await firm.send(.get, "/v1/me", as: before)
            #expect(refused.0 == .unauthorized && (refused.1["detail"] as? String)?.contains("refresh") == true)
            let refreshed = try await firm.send(.post, "/v1/auth/refresh", ["refreshToken": refreshToken], as: "")
            let after = "Bearer " + (try #require(refreshed.1["accessToken"] as? String))
            let me = try await firm.send(.get, "/v1/me", as: after)
            #expect(me.0 == .ok && me.1["rights"] as? [String] == ["view_all_accounts"], "the refreshed token carries the new rights")
        }
    }

    @Test("contacts: e-mail validated and unique per firm; invitation, activation and portal sign-in; portal access gates the account", arguments: TestEngine.all)
    func contacts(engine: TestEngine) async throws {
        try await withFirm(engine) { firm in
            let acme = try firm.id(try await firm.send(.post, "/v1/accounts", ["name": "Acme Ltd", "kind": "company"]))
            let other = try firm.id(try await firm.send(.post, "/v1/accounts", ["name": "Other Co", "kind": "company"]))
            let bad = try await firm.send(.post, "/v1/accounts/\(acme)/contacts", ["email": "nope", "firstName": "A", "lastName": "B"])
            #expect(bad.0 == .badRequest && (bad.1["detail"] as? String)?.contains("email") == true)
            #expect(try await firm.send(.post, "/v1/accounts/\(acme)/contacts", ["email": "x@client.example"]).0 == .badRequest, "names needed for a new contact")
            let (contact, portal) = try await firm.activeContact("Cora@Client.example", account: acme)
            #expect(try await firm.send(.post, "/v1/accounts/\(acme)/contacts", ["email": "cora@client.example"]).0 == .conflict)
            let linked = try await firm.send(.post, "/v1/accounts/\(other)/contacts", ["email": "cora@client.example"])
            #expect(linked.0 == .created && linked.1["id"] as? String == contact, "one person, two accounts")
            #expect(linked.1["activated"] as? Bool == true && linked.1["portalAccess"] as? Bool == false)

            let me = try await firm.send(.get, "/v1/me", as: portal)
            #expect(me.0 == .ok && me.1["kind"] as? String == "contact" && me.1["email"] as? String == "cora@client.example")
            let signIn = try await firm.send(.post, "/v1/auth/contact-token", ["firmId": firm.firmID, "email": "cora@client.example", "password": Self.password], as: "")
            #expect(signIn.0 == .ok)
            #expect(try await firm.send(.post, "/v1/auth/contact-token", ["firmId": "firm_elsewhere", "email": "cora@client.example", "password": Self.password], as: "").0 == .unauthorized)
            let listed = try await firm.send(.get, "/v1/accounts", as: portal)
            #expect((listed.1["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [acme], "only accounts with portal access")
            #expect(try await firm.send(.get, "/v1/accounts/\(acme)", as: portal).0 == .ok)
            #expect(try await firm.send(.get, "/v1/accounts/\(other)", as: portal).0 == .notFound)
            #expect(try await firm.send(.get, "/v1/accounts/\(acme)/contacts", as: portal).0 == .forbidden)

            #expect(try await firm.send(.patch, "/v1/accounts/\(acme)/contacts/\(contact)", ["portalAccess": false]).0 == .ok)
            #expect(try await firm.send(.get, "/v1/accounts/\(acme)", as: portal).0 == .notFound)
            let refused = try await firm.send(.post, "/v1/auth/contact-token", ["firmId": firm.firmID, "email": "cora@client.example", "password": Self.password], as: "")
            #expect(refused.0 == .forbidden, "right password, but no portal access anywhere")
            #expect(try await firm.send(.post, "/v1/auth/refresh", ["refreshToken": signIn.1["refreshToken"] as? String ?? ""], as: "").0 == .unauthorized)
            try await eventually("portal access on, then off, announced") {
                await firm.events("account.access_updated").filter { $0["accountId"] as? String == acme }.map { ($0["contactIds"] as? [String]) ?? [] } == [[contact], []]
            }
        }
    }

    @Test("accounts: search by name in any case, cursor pages, employees see only what they are assigned", arguments: TestEngine.all)
    func searchPagesAndAccess(engine: TestEngine) async throws {
        try await withFirm(engine) { firm in
            var ids: [String] = []
            for name in ["Acme Ltd", "ACME Holdings", "Bolt & Co", "acme 100%", "Crane plc"] {
                ids.append(try firm.id(try await firm.send(.post, "/v1/accounts", ["name": name, "kind": "company"])))
            }
            let found = try await firm.send(.get, "/v1/accounts?q=AcMe")
            #expect((found.1["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Acme Ltd", "ACME Holdings", "acme 100%"])
            #expect((try await firm.send(.get, "/v1/accounts?q=0%25").1["items"] as? [Any])?.count == 1, "% is a character, not a wildcard")
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await firm.send(.get, "/v1/accounts?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                seen += (page.1["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
                cursor = page.1["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == ids)
            #expect(try await firm.send(.get, "/v1/accounts?limit=0").0 == .badRequest)

            let (employeeID, employee) = try await firm.member("emp@firm.example")
            #expect((try await firm.send(.get, "/v1/accounts", as: employee).1["items"] as? [Any])?.isEmpty == true)
            #expect(try await firm.send(.get, "/v1/accounts/\(ids[2])", as: employee).0 == .notFound)
            #expect(try await firm.send(.post, "/v1/accounts/\(ids[2])/access", ["give": [employeeID]], as: employee).0 == .notFound)
            let given = try await firm.send(.post, "/v1/accounts/\(ids[2])/access", ["give": [employeeID]])
            #expect(given.0 == .ok && given.1["assignedMemberIds"] as? [String] == [employeeID])
            #expect(try await firm.send(.get, "/v1/accounts/\(ids[2])", as: employee).0 == .ok)
            #expect(try await firm.send(.post, "/v1/accounts/\(ids[2])/access", ["take": [employeeID]], as: employee).0 == .forbidden)
            #expect(try await firm.send(.post, "/v1/accounts/\(ids[2])/access", ["give": ["mem_nobody"]]).0 == .badRequest)
            let service = try await TestConfiguration.serviceToken("pipeline-service")
            #expect(try await firm.send(.post, "/v1/accounts/\(ids[2])/access", ["take": [employeeID]], as: service).0 == .ok)
            #expect(try await firm.send(.get, "/v1/accounts/\(ids[2])", as: employee).0 == .notFound)
            let created = try firm.id(try await firm.send(.post, "/v1/accounts", ["name": "Mine", "kind": "individual"], as: employee))
            #expect(try await firm.send(.get, "/v1/accounts/\(created)", as: employee).0 == .ok, "the creator is assigned")
            try await eventually("give and take announced with growing versions") {
                let versions = await firm.events("account.access_updated").filter { $0["accountId"] as? String == ids[2] }.compactMap { $0["version"] as? Int }
                return versions == [1, 2]
            }
        }
    }

    @Test("recipients: contacts with notify on and active portal access, and the assigned active members")
    func recipients() async throws {
        try await withFirm { firm in
            let account = try firm.id(try await firm.send(.post, "/v1/accounts", ["name": "Acme", "kind": "company"]))
            let (active, _) = try await firm.activeContact("active@client.example", account: account)
            let (muted, _) = try await firm.activeContact("muted@client.example", account: account)
            #expect(try await firm.send(.patch, "/v1/accounts/\(account)/contacts/\(muted)", ["notify": false]).0 == .ok)
            _ = try firm.id(try await firm.send(.post, "/v1/accounts/\(account)/contacts", [
                "email": "pending@client.example", "firstName": "P", "lastName": "Ending", "portalAccess": true,
            ]))
            let (assigned, _) = try await firm.member("assigned@firm.example")
            let (gone, _) = try await firm.member("gone@firm.example")
            _ = try await firm.member("other@firm.example")
            #expect(try await firm.send(.post, "/v1/accounts/\(account)/access", ["give": [assigned, gone]]).0 == .ok)
            #expect(try await firm.send(.patch, "/v1/team-members/\(gone)", ["active": false]).0 == .ok)
            let (status, recipients) = try await firm.send(.get, "/v1/accounts/\(account)/recipients", as: try await TestConfiguration.serviceToken("notify-service"))
            #expect(status == .ok)
            #expect((recipients["contacts"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [active])
            #expect((recipients["teamMembers"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [assigned])
        }
    }
}
