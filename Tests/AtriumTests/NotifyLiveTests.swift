import AccountService
import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import NotifyService
import Testing

/// The Inbox+ stream: items and counts as they commit, resumable with `Last-Event-ID`.
@Suite("NotifyService: Inbox+ live")
struct NotifyLiveTests {
    typealias Bodies = ChatEventBodies

    @Test("an open stream gets each new item and the counts; marking read elsewhere updates the counts; a resume replays what was missed",
          arguments: TestEngine.all)
    func streamAndResume(engine: TestEngine) async throws {
        try await NotifyWorld.run(engine) { world in
            var stream = try await EventStream.open(port: world.client.port, "/v1/inbox/events", as: world.owner)
            #expect(stream.status == 200)
            let opening = try await stream.next()
            #expect(opening?.event == "counts" && opening?.json["unread"] as? Int == 0)

            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"), text: "First")) == 204)
            let item = try #require(try await stream.next())
            #expect(item.event == "item" && item.json["summary"] as? String == "First" && item.id != nil)
            let counts = try await stream.next()
            #expect(counts?.event == "counts" && counts?.json["unread"] as? Int == 1)

            // Read in another tab: this stream hears the counts change.
            let itemID = try #require(item.json["id"] as? String)
            #expect(try await world.send(.patch, "/v1/inbox/\(itemID)", ["read": true], as: world.owner).status == 200)
            let afterRead = try await stream.next()
            #expect(afterRead?.event == "counts" && afterRead?.json["unread"] as? Int == 0)

            // Away: two replies arrive; back with Last-Event-ID, both are replayed in order, then live again.
            let last = try #require(item.id)
            for text in ["Second", "Third"] {
                #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"), text: text)) == 204)
            }
            _ = try await world.waitForInbox(world.owner, count: 3)
            var resumed = try await EventStream.open(port: world.client.port, "/v1/inbox/events", as: world.owner, lastEventID: last)
            let replayed = [try await resumed.next(), try await resumed.next()]
            #expect(replayed.map { $0?.json["summary"] as? String } == ["Second", "Third"])
            #expect(try await resumed.next()?.json["unread"] as? Int == 2)
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"), text: "Fourth")) == 204)
            #expect(try await resumed.next()?.json["summary"] as? String == "Fourth")

            // A bad Last-Event-ID is a 400; one this stream never sent is a `reset`, then the stream as usual.
            let bad = try await EventStream.open(port: world.client.port, "/v1/inbox/events", as: world.owner, lastEventID: "abc")
            #expect(bad.status == 400)
            var forged = try await EventStream.open(port: world.client.port, "/v1/inbox/events", as: world.owner, lastEventID: "999999")
            #expect(try await forged.next()?.event == "reset")
            #expect(try await forged.next()?.event == "counts")
        }
    }

    @Test("a contact's stream never carries an internal note, and another person's stream nothing of theirs")
    func contactStream() async throws {
        try await NotifyWorld.run { world in
            var contact = try await EventStream.open(port: world.client.port, "/v1/inbox/events", as: world.contact)
            var other = try await EventStream.open(port: world.client.port, "/v1/inbox/events", as: world.assigned)
            _ = try await contact.next()
            _ = try await other.next()
            #expect(try await world.deliver(EventTypes.chatNoteCreated, Bodies.message(
                author: Bodies.author("mem_test", "member"), text: "Internal only", isInternal: true)) == 204)
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("mem_test", "member"), text: "Public")) == 204)
            let first = try await contact.next()
            #expect(first?.event == "item" && first?.json["summary"] as? String == "Public", "the note never reaches the contact")
            // The assigned employee hears of the contact's task change; nothing before it.
            let change: [String: Any] = [
                "threadId": "thr_1", "firmId": "firm_test", "accountId": "acct_1", "actor": Bodies.author("con_1", "contact"),
                "startedBy": Bodies.author("mem_test", "member"), "changes": [["taskId": "tsk_1", "text": "T", "change": "completed", "done": true]],
                "completedTasks": 1, "totalTasks": 1, "taskVersion": 1, "subject": "Year-end", "recipientIds": ["con_1"],
                "changedAt": "2026-11-24T04:00:00Z",
            ]
            #expect(try await world.deliver(EventTypes.chatTaskChanged, change) == 204)
            let theirs = try await other.next()
            #expect(theirs?.event == "item" && theirs?.json["kind"] as? String == "task_changed")
        }
    }
}
