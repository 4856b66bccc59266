import AccountService
import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
@testable import NotifyService
import Testing

/// Inbox+ fed by ChatService's events: the right people get items, once, and read them.
@Suite("NotifyService: Inbox+")
struct NotifyInboxTests {
    typealias Bodies = ChatEventBodies

    @Test("a client's reply reaches the thread's starter once, however often the event is delivered; nobody else", arguments: TestEngine.all)
    func replyReachesStarterOnce(engine: TestEngine) async throws {
        try await NotifyWorld.run(engine) { world in
            let id = Identifier.make("msg")
            let reply = Bodies.message(author: Bodies.author("con_1", "contact"), text: "Here they are")
            #expect(try await world.deliver(EventTypes.chatMessageCreated, reply, id: id) == 204)
            #expect(try await world.deliver(EventTypes.chatMessageCreated, reply, id: id) == 204, "a redelivery is accepted")
            let items = try await world.waitForInbox(world.owner, count: 1)
            #expect(items.count == 1)
            #expect(items.first?["kind"] as? String == "message" && items.first?["summary"] as? String == "Here they are")
            #expect(items.first?["link"] as? String == "https://portal.example/threads/thr_1")
            #expect((items.first?["actor"] as? [String: Any])?["name"] as? String == "Carla Client")
            // A second event after the first, so that "nothing else arrived" is not a race.
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"), text: "And this")) == 204)
            _ = try await world.waitForInbox(world.owner, count: 2)
            #expect(try await world.inbox(world.owner).count == 2)
            #expect(try await world.inbox(world.assigned).isEmpty, "the assigned employee did not start the thread")
            #expect(try await world.inbox(world.contact).isEmpty, "nobody is told of their own message")
        }
    }

    @Test("an internal note tells the colleague it mentions and never a contact, by inbox or e-mail")
    func noteNeverReachesContacts() async throws {
        try await NotifyWorld.run { world in
            let note = Bodies.message(author: Bodies.author("mem_test", "member"), text: "Internal: fee dispute", isInternal: true,
                                      mentions: ["mem_asg"], recipients: ["con_1", "con_3"])
            #expect(try await world.deliver(EventTypes.chatNoteCreated, note) == 204)
            let items = try await world.waitForInbox(world.assigned, count: 1)
            #expect(items.first?["kind"] as? String == "mention")
            // Then a public message to both contacts: once it has arrived, the note would have too.
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("mem_test", "member"),
                                                                                          recipients: ["con_1", "con_3"])) == 204)
            _ = try await world.waitForInbox(world.contact, count: 1)
            for token in [world.contact, world.otherContact] {
                let items = try await world.inbox(token)
                #expect(items.count == 1 && !items.contains { ($0["summary"] as? String)?.contains("fee dispute") == true })
            }
            try await eventually("the e-mails") { world.mailer.sent.count >= 3 }
            #expect(!world.mailer.sent.contains { $0.text.contains("fee dispute") && $0.to.contains { $0.email.hasSuffix("client.example") } })
        }
    }

    @Test("newest first, pages, the unread filter, counts per kind, mark read and unread, mark all read up to an item")
    func readState() async throws {
        try await NotifyWorld.run { world in
            for index in 0..<5 {
                #expect(try await world.deliver(EventTypes.chatMessageCreated,
                                                Bodies.message(author: Bodies.author("con_1", "contact"), text: "Reply \(index)")) == 204)
            }
            #expect(try await world.deliver(EventTypes.chatNoteCreated, Bodies.message(
                author: Bodies.author("mem_asg", "member"), text: "@Olive look", isInternal: true, mentions: ["mem_test"])) == 204)
            let all = try await world.waitForInbox(world.owner, count: 6)
            let ids = all.compactMap { $0["id"] as? String }
            #expect(ids == ids.sorted(by: >), "newest first")
            let (_, first) = try await world.send(.get, "/v1/inbox?limit=4", as: world.owner)
            let cursor = try #require(first["nextCursor"] as? String)
            let (_, second) = try await world.send(.get, "/v1/inbox?limit=4&cursor=\(cursor)", as: world.owner)
            #expect(((first["items"] as? [[String: Any]] ?? []) + (second["items"] as? [[String: Any]] ?? [])).compactMap { $0["id"] as? String } == ids)
            #expect(second["nextCursor"] == nil)
            #expect(try await world.send(.get, "/v1/inbox?cursor=nonsense", as: world.owner).status == 400)

            var counts = try await world.send(.get, "/v1/inbox/counts", as: world.owner).json
            #expect(counts["unread"] as? Int == 6 && (counts["byKind"] as? [String: Int]) == ["message": 5, "mention": 1])
            let (status, read) = try await world.send(.patch, "/v1/inbox/\(ids[0])", ["read": true], as: world.owner)
            #expect(status == 200 && read["read"] as? Bool == true && read["readAt"] != nil)
            #expect(try await world.send(.patch, "/v1/inbox/\(ids[0])", ["read": true], as: world.assigned).status == 404, "not theirs")
            #expect(try await world.inbox(world.owner, query: "unread=true").count == 5)
            #expect(try await world.send(.patch, "/v1/inbox/\(ids[0])", ["read": false], as: world.owner).json["read"] as? Bool == false)
            // Mark all read up to the third newest: the two newest stay unread.
            let (_, marked) = try await world.send(.post, "/v1/inbox/read-all", ["upTo": ids[2]], as: world.owner)
            #expect(marked["marked"] as? Int == 4 && (marked["counts"] as? [String: Any])?["unread"] as? Int == 2, "\(marked)")
            #expect(try await world.send(.post, "/v1/inbox/read-all", ["kind": "mention"], as: world.owner).json["marked"] as? Int == 1)
            counts = try await world.send(.get, "/v1/inbox/counts", as: world.owner).json
            #expect(counts["unread"] as? Int == 1 && (counts["byKind"] as? [String: Int]) == ["message": 1])
            #expect(try await world.send(.post, "/v1/inbox/read-all", ["upTo": "not-an-id"], as: world.owner).status == 400)
        }
    }

    @Test("task changes reach the assigned team with who did it and each task's state; new tasks reach the recipients")
    func taskChanges() async throws {
        try await NotifyWorld.run { world in
            let change = { (actor: [String: Any], what: String, done: Bool) -> [String: Any] in
                ["threadId": "thr_1", "firmId": "firm_test", "accountId": "acct_1", "actor": actor, "startedBy": Bodies.author("mem_test", "member"),
                 "changes": [["taskId": "tsk_1", "text": "Bank statement", "change": what, "done": done]], "completedTasks": done ? 1 : 0,
                 "totalTasks": 1, "taskVersion": 2, "subject": "Year-end", "recipientIds": ["con_1"], "changedAt": "2026-11-24T04:00:00Z"]
            }
            #expect(try await world.deliver(EventTypes.chatTaskChanged, change(Bodies.author("con_1", "contact"), "completed", true)) == 204)
            let item = try #require(try await world.waitForInbox(world.assigned, count: 1).first)
            #expect(item["kind"] as? String == "task_changed" && (item["actor"] as? [String: Any])?["name"] as? String == "Carla Client")
            let tasks = item["tasks"] as? [[String: Any]] ?? []
            #expect(tasks.count == 1 && tasks.first?["done"] as? Bool == true && tasks.first?["change"] as? String == "completed")
            #expect(try await world.deliver(EventTypes.chatTaskChanged, change(Bodies.author("mem_test", "member"), "created", false)) == 204)
            let pending = try await world.waitForInbox(world.contact, count: 1)
            #expect(pending.first?["kind"] as? String == "pending_tasks")
            #expect(try await world.inbox(world.owner).isEmpty, "the owner did it, and is not assigned")
        }
    }

    @Test("a portal view reads the contact's inbox for that account and changes nothing")
    func portalView() async throws {
        try await NotifyWorld.run { world in
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("mem_test", "member"))) == 204)
            let item = try #require(try await world.waitForInbox(world.contact, count: 1).first?["id"] as? String)
            let signer = try await TestConfiguration.signer()
            let view = PortalView(memberID: "mem_test", accountID: "acct_1", role: .owner, rights: [], standing: 0)
            let token = "Bearer " + (try await signer.issue(for: Caller(kind: .contact, subject: "con_1", firmID: "firm_test", portalView: view)))
            #expect(try await world.inbox(token).compactMap { $0["id"] as? String } == [item])
            #expect(try await world.send(.patch, "/v1/inbox/\(item)", ["read": true], as: token).status == 403)
            #expect(try await world.send(.post, "/v1/inbox/read-all", [:], as: token).status == 403)
            #expect(try await world.send(.get, "/v1/inbox", as: world.service).status == 403, "services have no inbox")
        }
    }

    @Test("a payload that does not fit its event type is the producer's 400, and nothing is queued")
    func malformed() async throws {
        try await NotifyWorld.run { world in
            let misfit = try await world.deliver(EventTypes.chatMessageCreated, ["threadId": 5])
            #expect(misfit == 400)
            let ignored = try await world.deliver(EventTypes.chatThreadArchived, ["anything": true])
            #expect(ignored == 204, "a type it ignores is accepted")
        }
    }
}
