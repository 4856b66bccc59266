import AccountService
import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// SPEC "People and access": a team member who may see an account can look at the portal as a
/// contact of that account sees it — read-only, that account only, and recorded.
@Suite("AccountService: viewing the portal as a contact")
struct PortalViewTests {
    typealias Firm = AccountDirectoryTests.Firm

    /// Starts a view of `contact` on `account` as `token`; returns the status and the view's bearer.
    static func view(_ firm: Firm, account: String, contact: String, as token: String? = nil) async throws
        -> (HTTPResponse.Status, String?)
    {
        let (status, body) = try await firm.send(.post, "/v1/accounts/\(account)/contacts/\(contact)/portal-view", as: token)
        return (status, (body["accessToken"] as? String).map { "Bearer " + $0 })
    }

    @Test("the view shows the contact's portal for that one account, read-only, and is in the activity feed")
    func readOnlyAndNarrow() async throws {
        try await AccountDirectoryTests().withFirm { firm in
            let acme = try firm.id(try await firm.send(.post, "/v1/accounts", ["name": "Acme Ltd", "kind": "company"]))
            let other = try firm.id(try await firm.send(.post, "/v1/accounts", ["name": "Other Co", "kind": "company"]))
            let (contact, _) = try await firm.activeContact("cora@client.example", account: acme)
            #expect(try await firm.send(.post, "/v1/accounts/\(other)/contacts", ["email": "cora@client.example", "portalAccess": true]).0 == .created)
            let (employee, employeeToken) = try await firm.member("emma@firm.example")
            #expect(try await firm.send(.post, "/v1/accounts/\(acme)/access", ["give": [employee]]).0 == .ok)

            let (status, viewToken) = try await Self.view(firm, account: acme, contact: contact, as: employeeToken)
            #expect(status == .created)
            let view = try #require(viewToken)
            let me = try await firm.send(.get, "/v1/me", as: view)
            #expect(me.1["kind"] as? String == "contact" && me.1["id"] as? String == contact)
            #expect((me.1["viewedBy"] as? [String: Any])?["memberId"] as? String == employee)
            let listed = try await firm.send(.get, "/v1/accounts", as: view)
            #expect((listed.1["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [acme],
                    "the contact also has Other Co, but the view shows only the account it was started for")
            #expect(try await firm.send(.get, "/v1/accounts/\(acme)", as: view).0 == .ok)
            #expect(try await firm.send(.get, "/v1/accounts/\(other)", as: view).0 == .notFound)
            let change = try await firm.send(.patch, "/v1/accounts/\(acme)", ["name": "Renamed"], as: view)
            #expect(change.0 == .forbidden && (change.1["detail"] as? String)?.contains("read-only") == true)
            #expect(try await Self.view(firm, account: acme, contact: contact, as: view).0 == .forbidden, "a view cannot start another")

            let feed = try await firm.send(.get, "/v1/firms/\(firm.firmID)/activity")
            let lines = (feed.1["items"] as? [[String: Any]])?.compactMap { $0["summary"] as? String } ?? []
            #expect(lines.contains("Emma Ployee viewed the portal as Cora Client (Acme Ltd)"), "\(lines)")
        }
    }

    @Test("refused to those who may not see the account, to contacts, and for contacts without portal access")
    func refusals() async throws {
        try await AccountDirectoryTests().withFirm { firm in
            let acme = try firm.id(try await firm.send(.post, "/v1/accounts", ["name": "Acme Ltd", "kind": "company"]))
            let (contact, contactToken) = try await firm.activeContact("cora@client.example", account: acme)
            let (_, outsider) = try await firm.member("olly@firm.example")
            #expect(try await Self.view(firm, account: acme, contact: contact, as: outsider).0 == .notFound)
            #expect(try await Self.view(firm, account: acme, contact: contact, as: contactToken).0 == .forbidden)
            #expect(try await Self.view(firm, account: acme, contact: contact, as: "").0 == .unauthorized)
            #expect(try await Self.view(firm, account: acme, contact: "con_missing").0 == .notFound)
            let pending = try firm.id(try await firm.send(.post, "/v1/accounts/\(acme)/contacts", [
                "email": "pat@client.example", "firstName": "Pat", "lastName": "Pending",
            ]))
            let (status, _) = try await Self.view(firm, account: acme, contact: pending)
            #expect(status == .conflict, "no portal access: nothing to view")
        }
    }

    @Test("the view lapses when the member behind it loses the account or is deactivated")
    func lapses() async throws {
        try await AccountDirectoryTests().withFirm { firm in
            let acme = try firm.id(try await firm.send(.post, "/v1/accounts", ["name": "Acme Ltd", "kind": "company"]))
            let (contact, _) = try await firm.activeContact("cora@client.example", account: acme)
            let (employee, employeeToken) = try await firm.member("emma@firm.example")
            #expect(try await firm.send(.post, "/v1/accounts/\(acme)/access", ["give": [employee]]).0 == .ok)
            let view = try #require(try await Self.view(firm, account: acme, contact: contact, as: employeeToken).1)
            #expect(try await firm.send(.get, "/v1/accounts/\(acme)", as: view).0 == .ok)
            #expect(try await firm.send(.post, "/v1/accounts/\(acme)/access", ["take": [employee]]).0 == .ok)
            #expect(try await firm.send(.get, "/v1/accounts/\(acme)", as: view).0 == .notFound, "the contact still has access; the member no longer")

            #expect(try await firm.send(.post, "/v1/accounts/\(acme)/access", ["give": [employee]]).0 == .ok)
            #expect(try await firm.send(.get, "/v1/accounts/\(acme)", as: view).0 == .ok)
            #expect(try await firm.send(.patch, "/v1/team-members/\(employee)", ["active": false]).0 == .ok)
            #expect(try await firm.send(.get, "/v1/accounts/\(acme)", as: view).0 == .unauthorized)
        }
    }
}
