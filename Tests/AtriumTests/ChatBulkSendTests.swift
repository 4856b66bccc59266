import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Synchronization
import Testing

/// Bulk sends: accepted at once, sent in the background a chunk at a time, each account's outcome
/// told; idempotent by key.
@Suite("ChatService: bulk sends")
struct ChatBulkSendTests {
    static func finished(_ chat: ChatWorld, _ id: String, as token: String? = nil) async throws -> [String: Any] {
        var bulk: [String: Any] = [:]
        try await eventually("bulk send \(id) to finish") {
            bulk = try await chat.send(.get, "/v1/bulk-sends/\(id)", as: token).json
            return bulk["status"] as? String == "done"
        }
        return bulk
    }

    static func outcomes(_ chat: ChatWorld, _ id: String) async throws -> [String: [String: Any]] {
        let items = try await chat.send(.get, "/v1/bulk-sends/\(id)/items?limit=100").json["items"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: items.compactMap { item in (item["accountId"] as? String).map { ($0, item) } })
    }

    @Test("one thread per account it may; skipped ones say why; the same key answers the same bulk send", arguments: TestEngine.all)
    func sends(engine: TestEngine) async throws {
        let people = FixedPeople(empty: ["acct_3"])
        try await ChatWorld.run(engine, people: people, clock: ManualJobClock(now: EpochMillis.now())) { chat in
            let template = try await ChatThreadTemplateTests.template(chat)
            let body: [String: Any] = ["accountIds": ["acct_1", "acct_2", "acct_3", "acct_other", "acct_nope", "acct_1"], "templateId": template]
            let accepted = try await chat.send(.post, "/v1/bulk-sends", body, idempotencyKey: "bulk-1")
            #expect(accepted.status == 202 && accepted.json["total"] as? Int == 5, "\(accepted.json)")
            let id = try #require(accepted.json["id"] as? String)
            #expect(try await chat.send(.post, "/v1/bulk-sends", body, idempotencyKey: "bulk-1").json["id"] as? String == id)
            let bulk = try await Self.finished(chat, id)
            #expect(bulk["sent"] as? Int == 2 && bulk["skipped"] as? Int == 3 && bulk["pending"] as? Int == 0, "\(bulk)")
            let outcomes = try await Self.outcomes(chat, id)
            #expect(outcomes["acct_1"]?["status"] as? String == "sent" && outcomes["acct_2"]?["status"] as? String == "sent")
            #expect(outcomes["acct_3"]?["reason"] as? String == "no_eligible_contact")
            #expect(outcomes["acct_other"]?["reason"] as? String == "no_access" && outcomes["acct_nope"]?["reason"] as? String == "no_access")
            let thread = try #require(outcomes["acct_2"]?["threadId"] as? String)
            let made = try await chat.send(.get, "/v1/threads/\(thread)").json
            #expect(made["subject"] as? String == "*Acme* acct_2: your \(Calendar(identifier: .gregorian).component(.year, from: Date()) - 1) return")
            #expect((made["tasks"] as? [Any])?.count == 1 && made["reminders"] != nil)
            #expect(people.lookups.load(ordering: .relaxed) == 1, "one AccountService request for the chunk, not one per account")
            #expect(try await chat.events(EventTypes.chatThreadCreated).count == 2)
        }
    }

    @Test("as an assigned employee: their accounts only; the firm's team may look, others may not")
    func access() async throws {
        try await ChatWorld.run(clock: ManualJobClock(now: EpochMillis.now())) { chat in
            let accepted = try await chat.send(.post, "/v1/bulk-sends", ["accountIds": ["acct_1", "acct_2"], "subject": "Hello", "text": "News"],
                                               as: chat.assigned)
            let id = try #require(accepted.json["id"] as? String)
            _ = try await Self.finished(chat, id, as: chat.assigned)
            let outcomes = try await Self.outcomes(chat, id)
            #expect(outcomes["acct_1"]?["status"] as? String == "sent" && outcomes["acct_2"]?["reason"] as? String == "no_access")
            #expect(try await chat.send(.get, "/v1/bulk-sends/\(id)", as: chat.stranger).status == 404)
            #expect(try await chat.send(.get, "/v1/bulk-sends/\(id)", as: chat.contact).status == 404)
        }
    }

    @Test("refused before anything is sent: contacts, no content, too many accounts, another firm's template")
    func refusals() async throws {
        try await ChatWorld.run { (chat: ChatWorld) async throws in
            #expect(try await chat.send(.post, "/v1/bulk-sends", ["accountIds": ["acct_1"], "subject": "S", "text": "T"], as: chat.contact).status == 403)
            #expect(try await chat.send(.post, "/v1/bulk-sends", ["accountIds": ["acct_1"], "subject": "S"]).status == 400)
            #expect(try await chat.send(.post, "/v1/bulk-sends", ["accountIds": [String]()]).status == 400)
            let many = (0...10_000).map { "acct_\($0)" }
            #expect(try await chat.send(.post, "/v1/bulk-sends", ["accountIds": many, "subject": "S", "text": "T"]).status == 400)
            #expect(try await chat.send(.post, "/v1/bulk-sends", ["accountIds": ["acct_1"], "templateId": "ctpl_elsewhere"]).status == 400)
            #expect(try await chat.send(.get, "/v1/bulk-sends/bulk_missing").status == 404)
        }
    }
}
