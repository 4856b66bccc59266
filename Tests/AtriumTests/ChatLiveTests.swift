import AccountService
import AtriumRuntime
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Live updates (SPEC "Chats": real time): server-sent-event streams of a thread and of a
/// thread list, each showing its reader exactly what they may see, the moment it commits.
@Suite("ChatService: live updates of threads and thread lists")
struct ChatLiveTests {
    /// Heartbeats fast enough for a test to wait for one.
    static let settings = ["ATRIUM_CHAT_LIVE_HEARTBEAT_MS": "200"]

    /// A live ChatService with a thread on `acct_1` (the owner's, with one task); `body` gets the thread's id.
    static func withThread(_ engine: TestEngine, _ body: @escaping @Sendable (ChatWorld, String) async throws -> Void) async throws {
        try await ChatWorld.run(engine, setup: .live, overrides: settings) { chat in
            let id = try #require(try await chat.thread(tasks: ["Upload the bank statements"])["id"] as? String)
            try await body(chat, id)
        }
    }

    /// Posts a message in `thread` as `token` (the owner by default); its id.
    static func post(_ chat: ChatWorld, _ thread: String, _ text: String, internal note: Bool = false, as token: String? = nil) async throws -> String {
        let (status, json) = try await chat.send(.post, "/v1/threads/\(thread)/messages", ["text": text, "internal": note], as: token)
        #expect(status == 201, "\(json)")
        return try #require(json["id"] as? String)
    }

    @Test("a message reaches the thread and list streams of the team and of the contact; a task change too", arguments: TestEngine.all)
    func messagesReachEveryone(engine: TestEngine) async throws {
        try await Self.withThread(engine) { chat, id in
            var streams = [
                try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.owner),
                try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.owner),
                try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.assigned),
                try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.viewAll),
                try await EventStream.open(port: chat.port, "/v1/threads/events?accountId=acct_1", as: chat.assigned),
                try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.contact),
                try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.contact),
            ]
            #expect(streams.allSatisfy { $0.status == 200 })
            let message = try await Self.post(chat, id, "Thanks, received.")
            let task = try #require(try await chat.send(.get, "/v1/threads/\(id)").json["tasks"] as? [[String: Any]]).first?["id"] as? String
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(try #require(task))", ["done": true], as: chat.contact).status == 200)
            for index in streams.indices {
                let created = try #require(try await streams[index].next())
                #expect(created.event == "message.created" && created.json["id"] as? String == message, "\(created)")
                #expect(created.json["threadId"] as? String == id && created.id != nil)
                let changed = try await streams[index].events { $0.event == "tasks.changed" }.last
                #expect(changed?.json["completedTasks"] as? Int == 1 && changed?.json["totalTasks"] as? Int == 1, "\(String(describing: changed))")
            }
        }
    }

    @Test("an internal note reaches the team and never the contact", arguments: TestEngine.all)
    func notesStayWithTheTeam(engine: TestEngine) async throws {
        try await Self.withThread(engine) { chat, id in
            var team = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.assigned)
            var contactThread = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.contact)
            var contactList = try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.contact)
            let note = try await Self.post(chat, id, "They always send these late", internal: true)
            let reply = try await Self.post(chat, id, "Could you also send the payslips?")
            let seen = try await team.events(throughMessage: reply)
            #expect(seen.map { $0.json["id"] as? String } == [note, reply])
            #expect(seen.first?.json["internal"] as? Bool == true)
            // The contact's streams go past the later public message without a trace of the note.
            let onThread = try await contactThread.events(throughMessage: reply)
            let onList = try await contactList.events(throughMessage: reply)
            #expect(onThread.map { $0.json["id"] as? String } == [reply], "\(onThread)")
            #expect(onList.map { $0.json["id"] as? String } == [reply], "\(onList)")
        }
    }

    @Test("a contact of another account, a team member not assigned and another firm see nothing of the thread", arguments: TestEngine.all)
    func othersSeeNothing(engine: TestEngine) async throws {
        try await Self.withThread(engine) { chat, id in
            let theirs = try #require(try await chat.thread("acct_2", text: "A question of my own", as: chat.otherContact)["id"] as? String)
            for token in [chat.otherContact, chat.unassigned, chat.stranger] {
                #expect(try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: token).status == 404)
                #expect(try await EventStream.open(port: chat.port, "/v1/threads/events?accountId=acct_1", as: token).status == 404)
            }
            var other = try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.otherContact)
            var unassigned = try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.unassigned)
            var stranger = try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.stranger)
            _ = try await Self.post(chat, id, "Not for you")
            _ = try await Self.post(chat, id, "Nor this", internal: true)
            let sentinel = try await Self.post(chat, theirs, "But this is")
            let events = try await other.events(throughMessage: sentinel)
            #expect(events.allSatisfy { $0.json["threadId"] as? String == theirs }, "\(events)")
            // Nobody is assigned to acct_2 and nobody outside the firm sees it: the sentinel is a
            // heartbeat here, and before it nothing arrived.
            let unassignedFirst = try await unassigned.nextBlock()
            let strangerFirst = try await stranger.nextBlock()
            #expect(unassignedFirst?.comment == "keep-alive", "\(String(describing: unassignedFirst))")
            #expect(strangerFirst?.comment == "keep-alive", "\(String(describing: strangerFirst))")
        }
    }

    @Test("a reader's read state goes to their own streams alone", arguments: TestEngine.all)
    func readStateIsTheReaders(engine: TestEngine) async throws {
        try await Self.withThread(engine) { chat, id in
            var contact = try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.contact)
            var owner = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.owner)
            var assigned = try await EventStream.open(port: chat.port, "/v1/threads/events", as: chat.assigned)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/read", as: chat.contact).status == 200)
            let sentinel = try await Self.post(chat, id, "After the read")
            let read = try await contact.events(throughMessage: sentinel)
            #expect(read.map(\.event) == ["thread.read", "message.created"], "\(read)")
            #expect(read.first?.json["readerId"] as? String == "con_1" && read.first?.json["unreadCount"] as? Int == 0)
            #expect(try await owner.events(throughMessage: sentinel).map(\.event) == ["message.created"])
            #expect(try await assigned.events(throughMessage: sentinel).map(\.event) == ["message.created"])
        }
    }

    @Test("heartbeats keep an idle stream alive", arguments: TestEngine.all)
    func heartbeats(engine: TestEngine) async throws {
        try await Self.withThread(engine) { chat, id in
            var stream = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.contact)
            for _ in 0..<2 {
                #expect(try await stream.nextBlock()?.comment == "keep-alive")
            }
        }
    }

    @Test("a stream ends when its token expires")
    func expiredTokenEndsTheStream() async throws {
        try await Self.withThread(.sqlite) { chat, id in
            let signer = try await TestConfiguration.signer()
            // Issued so that it has about a second and a half left.
            let issued = Date().addingTimeInterval(-signer.lifetime + 1.5)
            let token = "Bearer " + (try await signer.issue(for: Caller(kind: .member, subject: "mem_test", firmID: "firm_test", role: .owner), now: issued))
            var stream = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: token)
            #expect(stream.status == 200)
            let started = ContinuousClock.now
            _ = try await stream.rest()
            #expect(started.duration(to: .now) < .seconds(10), "the stream outlived its token")
        }
    }
}
