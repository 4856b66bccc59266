import AccountService
import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("AccountService: tags, and account.tags_updated through the outbox")
struct AccountTagsTests {
    struct Firm {
        let client: any TestClientProtocol
        let owner: String
        let firmID: String

        func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as token: String? = nil) async throws
            -> (HTTPResponse.Status, [String: Any])
        {
            try await client.execute(uri: uri, method: method, headers: .bearer(token ?? owner),
                                     body: try body.map(JSON.buffer)) { ($0.status, $0.json) }
        }

        func tag(_ name: String) async throws -> String {
            let (status, tag) = try await send(.post, "/v1/tags", ["name": name])
            #expect(status == .created)
            return try #require(tag["id"] as? String)
        }

        func tagNames(_ response: [String: Any]) -> [String] {
            (response["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
    }

    func withFirm(_ engine: TestEngine, _ body: @escaping @Sendable (Firm, TestConsumer) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                let app = try await AccountService.buildApplication(try TestConfiguration.make(.account, storage: storage))
                try await app.test(.router) { client in
                    let signup = try await AccountServiceTests.signup(client)
                    let owner = "Bearer " + (try #require((signup["tokens"] as? [String: Any])?["accessToken"] as? String))
                    let firmID = try #require((signup["firm"] as? [String: Any])?["id"] as? String)
                    let firm = Firm(client: client, owner: owner, firmID: firmID)
                    let subscribed = try await firm.send(.put, "/v1/webhooks/subscriptions/tags", [
                        "url": url, "eventTypes": ["account.tags_updated"], "secret": TestConsumer.secret,
                    ])
                    #expect(subscribed.0 == .created)
                    try await body(firm, consumer)
                }
            }
        }
    }

    @Test("add, remove and clear tags; each real change is announced once, a no-op is not", arguments: TestEngine.all)
    func updateAccountTags(engine: TestEngine) async throws {
        try await withFirm(engine) { firm, consumer in
            let business = try await firm.tag("Business")
            let vip = try await firm.tag("VIP")
            let account = try #require(try await firm.send(.post, "/v1/accounts", ["name": "Acme Ltd", "kind": "company"]).1["id"] as? String)
            let added = try await firm.send(.post, "/v1/accounts/\(account)/tags", ["add": [business, vip]])
            #expect(added.0 == .ok && firm.tagNames(added.1) == ["Business", "VIP"])
            #expect(try await firm.send(.post, "/v1/accounts/\(account)/tags", ["add": [vip]]).0 == .ok)  // no change
            let removed = try await firm.send(.post, "/v1/accounts/\(account)/tags", ["remove": [vip]])
            #expect(firm.tagNames(removed.1) == ["Business"])
            let cleared = try await firm.send(.post, "/v1/accounts/\(account)/tags", ["clear": true])
            #expect(firm.tagNames(cleared.1).isEmpty)
            try await eventually("three announcements") { await consumer.applied.count == 3 }
            let payloads = TestConsumer.data(await consumer.bodies)
            #expect(payloads.map { $0["tags"] as? [String] ?? [] } == [["Business", "VIP"], ["Business"], []])
            #expect(payloads.map { $0["added"] as? [String] ?? [] } == [["Business", "VIP"], [], []])
            #expect(payloads.map { $0["removed"] as? [String] ?? [] } == [[], ["VIP"], ["Business"]])
            #expect(payloads.allSatisfy { $0["accountId"] as? String == account && $0["firmId"] as? String == firm.firmID })
        }
    }

    @Test("the catalogue: names are unique per firm regardless of case; rename and delete reach tagged accounts")
    func catalogue() async throws {
        try await withFirm(.sqlite) { firm, consumer in
            let business = try await firm.tag("Business")
            #expect(try await firm.send(.post, "/v1/tags", ["name": "business"]).0 == .conflict)
            #expect(try await firm.send(.post, "/v1/tags", ["name": "  "]).0 == .badRequest)
            let account = try #require(try await firm.send(.post, "/v1/accounts", ["name": "Acme", "kind": "company"]).1["id"] as? String)
            _ = try await firm.send(.post, "/v1/accounts/\(account)/tags", ["add": [business]])
            let renamed = try await firm.send(.patch, "/v1/tags/\(business)", ["name": "Company"])
            #expect(renamed.0 == .ok && renamed.1["name"] as? String == "Company")
            #expect(try await firm.send(.delete, "/v1/tags/\(business)").0 == .noContent)
            #expect(firm.tagNames(try await firm.send(.get, "/v1/accounts/\(account)/tags").1).isEmpty)
            try await eventually("add, rename and delete announced") { await consumer.applied.count == 3 }
            let payloads = TestConsumer.data(await consumer.bodies)
            #expect(payloads.map { $0["tags"] as? [String] ?? [] } == [["Business"], ["Company"], []])
            #expect(payloads.last?["removed"] as? [String] == ["Company"])
            let (listed, list) = try await firm.send(.get, "/v1/tags")
            #expect(listed == .ok && (list["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("refusals: employees cannot edit the catalogue, unknown tag ids and other firms' accounts are refused")
    func refusals() async throws {
        try await withFirm(.sqlite) { firm, consumer in
            let tag = try await firm.tag("Business")
            let account = try #require(try await firm.send(.post, "/v1/accounts", ["name": "Acme", "kind": "company"]).1["id"] as? String)
            let employee = try await TestConfiguration.memberToken(firm: firm.firmID, id: "mem_emp", role: .employee)
            #expect(try await firm.send(.post, "/v1/tags", ["name": "Mine"], as: employee).0 == .forbidden)
            #expect(try await firm.send(.delete, "/v1/tags/\(tag)", as: employee).0 == .forbidden)
            #expect(try await firm.send(.post, "/v1/accounts/\(account)/tags", ["add": [tag]], as: employee).0 == .notFound,
                    "an employee neither assigned nor holding view-all does not see the account")
            let viewAll = "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(
                kind: .member, subject: "mem_all", firmID: firm.firmID, role: .employee, rights: [Rights.viewAllAccounts])))
            #expect(try await firm.send(.post, "/v1/accounts/\(account)/tags", ["add": [tag]], as: viewAll).0 == .ok)
            let unknown = try await firm.send(.post, "/v1/accounts/\(account)/tags", ["add": ["tag_nope"]])
            #expect(unknown.0 == .badRequest && (unknown.1["detail"] as? String)?.contains("tag_nope") == true)
            let stranger = try await TestConfiguration.memberToken(firm: "firm_elsewhere", role: .owner)
            #expect(try await firm.send(.post, "/v1/accounts/\(account)/tags", ["add": [tag]], as: stranger).0 == .notFound)
            #expect(try await firm.send(.get, "/v1/accounts/\(account)/tags", as: stranger).0 == .notFound)
            #expect(try await firm.send(.patch, "/v1/tags/\(tag)", ["name": "X"], as: stranger).0 == .notFound)
            try await eventually("the view-all employee's change announced") { await consumer.applied.count == 1 }
        }
    }
}
