import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Synchronization
import Testing

/// SPEC "Reminders", driven by the test's clock: no test sleeps for days.
@Suite("ChatService: reminders")
struct ChatReminderTests {
    static let day: Int64 = 86_400_000

    /// A clock at the real now, which is when the service stamps messages.
    static func clock() -> ManualJobClock { ManualJobClock(now: EpochMillis.now()) }

    /// Moves the clock `days` (and a minute, the scan's granularity) on.
    static func pass(_ days: Int64, _ clock: ManualJobClock) { clock.advance(by: days * day + 61_000) }

    static func reminders(_ chat: ChatWorld, thread: String) async throws -> [[String: Any]] {
        try await chat.events(EventTypes.chatThreadReminderDue).filter { $0["threadId"] as? String == thread }
    }

    @Test("every N days about the last message, count times, then no more", arguments: TestEngine.all)
    func cadence(engine: TestEngine) async throws {
        let clock = Self.clock()
        try await ChatWorld.run(engine, clock: clock) { chat in
            let thread = try await chat.thread(extra: ["reminders": ["daysUntilNext": 2, "count": 2]])
            let id = try #require(thread["id"] as? String)
            #expect((thread["reminders"] as? [String: Any])?["nextAt"] != nil)
            Self.pass(1, clock)
            #expect(try await Self.reminders(chat, thread: id).isEmpty)
            Self.pass(1, clock)
            try await eventually("the first reminder") { try await Self.reminders(chat, thread: id).count == 1 }
            let first = try #require(try await Self.reminders(chat, thread: id).first)
            #expect(first["reminderNumber"] as? Int == 1 && first["recipientIds"] as? [String] == ["con_1"])
            #expect((first["lastMessage"] as? [String: Any])?["preview"] as? String == "Please send your bank statements.")
            Self.pass(2, clock)
            try await eventually("the second reminder") { try await Self.reminders(chat, thread: id).count == 2 }
            let state = try await chat.send(.get, "/v1/threads/\(id)").json["reminders"] as? [String: Any]
            #expect(state?["sent"] as? Int == 2 && state?["nextAt"] == nil)
            Self.pass(10, clock)
            try await chat.send(.post, "/v1/threads/\(id)/read")  // a request through the service, after the scan had its chance
            #expect(try await Self.reminders(chat, thread: id).count == 2, "all sent: reminders stop")
        }
    }

    @Test("without tasks a client's reply stops them; with tasks they go on until every task is done and everything read")
    func stopping() async throws {
        let clock = Self.clock()
        try await ChatWorld.run(clock: clock) { chat in
            let plain = try #require(try await chat.thread(extra: ["reminders": ["count": 5]])["id"] as? String)
            let tasked = try await chat.thread(tasks: ["Sign", "Send"], extra: ["reminders": ["count": 5]])
            let withTasks = try #require(tasked["id"] as? String)
            let tasks = chat.taskIDs(tasked)
            #expect(try await chat.send(.post, "/v1/threads/\(plain)/messages", ["text": "Sent them"], as: chat.contact).status == 201)
            #expect(try await chat.send(.patch, "/v1/threads/\(withTasks)/tasks/\(tasks[0])", ["done": true], as: chat.contact).status == 200)
            Self.pass(3, clock)
            try await eventually("the tasked thread's reminder") { try await Self.reminders(chat, thread: withTasks).count == 1 }
            #expect(try await Self.reminders(chat, thread: plain).isEmpty, "the client replied to the last message")
            // The firm checks the last task for the client, with a word the client has not read: still reminded.
            #expect(try await chat.send(.patch, "/v1/threads/\(withTasks)/tasks/\(tasks[1])", ["done": true]).status == 200)
            #expect(try await chat.send(.post, "/v1/threads/\(withTasks)/messages", ["text": "Ticked it for you"]).status == 201)
            Self.pass(3, clock)
            try await eventually("a reminder while a message is unread") { try await Self.reminders(chat, thread: withTasks).count == 2 }
            #expect(try await chat.send(.post, "/v1/threads/\(withTasks)/read", as: chat.contact).status == 200)
            Self.pass(3, clock)
            try await eventually("the scan to stop them") {
                try await chat.send(.get, "/v1/threads/\(withTasks)").json["reminders"].flatMap { ($0 as? [String: Any])?["nextAt"] } == nil
            }
            #expect(try await Self.reminders(chat, thread: withTasks).count == 2, "every task done and every message read")
        }
    }

    @Test("archive stops them; reopening re-arms from now; a new message from the firm starts the count again")
    func archiveAndReopen() async throws {
        let clock = Self.clock()
        try await ChatWorld.run(clock: clock) { chat in
            let id = try #require(try await chat.thread(extra: ["reminders": ["daysUntilNext": 3, "count": 1]])["id"] as? String)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/archive").json["reminders"].flatMap { ($0 as? [String: Any])?["nextAt"] } == nil)
            Self.pass(4, clock)
            let reopened = try await chat.send(.post, "/v1/threads/\(id)/reopen").json
            let next = try #require((reopened["reminders"] as? [String: Any])?["nextAt"] as? String)
            #expect(try await Self.reminders(chat, thread: id).isEmpty, "nothing while archived")
            Self.pass(3, clock)
            try await eventually("the re-armed reminder") { try await Self.reminders(chat, thread: id).count == 1 }
            #expect(!next.isEmpty)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Any news?"]).status == 201)
            Self.pass(3, clock)
            try await eventually("a reminder about the new message") { try await Self.reminders(chat, thread: id).count == 2 }
            #expect((try await Self.reminders(chat, thread: id).last?["lastMessage"] as? [String: Any])?["preview"] as? String == "Any news?")
        }
    }

    @Test("set and clear later; firm defaults; the team only; out-of-range refused")
    func settings() async throws {
        try await ChatWorld.run { chat in
            let id = try #require(try await chat.thread()["id"] as? String)
            #expect(try await chat.send(.get, "/v1/threads/\(id)").json["reminders"] == nil)
            let set = try await chat.send(.put, "/v1/threads/\(id)/reminders", [:])
            #expect((set.json["reminders"] as? [String: Any])?["daysUntilNext"] as? Int == 3 && (set.json["reminders"] as? [String: Any])?["count"] as? Int == 1)
            #expect(try await chat.send(.put, "/v1/threads/\(id)/reminders", ["daysUntilNext": 0]).status == 400)
            #expect(try await chat.send(.put, "/v1/threads/\(id)/reminders", ["count": 21]).status == 400)
            #expect(try await chat.send(.put, "/v1/threads/\(id)/reminders", ["count": 2], as: chat.contact).status == 403)
            #expect(try await chat.send(.delete, "/v1/threads/\(id)/reminders").json["reminders"] == nil)
            #expect(try await chat.send(.post, "/v1/threads", ["accountId": "acct_1", "subject": "S", "text": "T", "reminders": ["count": 1]],
                                        as: chat.contact).status == 403)
        }
    }

    @Test("two replicas on one database send each due reminder once", arguments: TestEngine.all.filter { $0.postgresURL != nil })
    func replicas(engine: TestEngine) async throws {
        let (first, second) = (Self.clock(), Self.clock())
        try await TestStorage.with(engine) { storage in
            try await ChatWorld.run(storage, clock: first) { chat in
                var made: [String] = []
                for _ in 0..<30 { made.append(try #require(try await chat.thread(extra: ["reminders": ["count": 1]])["id"] as? String)) }
                let ids = made
                try await ChatWorld.run(storage, clock: second) { _ in
                    Self.pass(3, first)
                    Self.pass(3, second)
                    try await eventually("every reminder") { try await chat.events(EventTypes.chatThreadReminderDue).count >= 30 }
                    first.advance(by: 120_000)
                    second.advance(by: 120_000)
                    try await chat.send(.get, "/v1/threads/\(ids[0])")
                }
                let sent = try await chat.events(EventTypes.chatThreadReminderDue).compactMap { $0["threadId"] as? String }
                #expect(sent.count == 30 && Set(sent) == Set(ids), "\(sent.count) reminders for 30 threads")
            }
        }
    }

    @Test("a reminder that fell due while the service was down, its scan lost, goes out as soon as it starts")
    func catchUpAtStart() async throws {
        try await TestStorage.with(.sqlite) { storage in
            let made = Mutex("")
            try await ChatWorld.run(storage) { chat in
                let id = try #require(try await chat.thread(extra: ["reminders": ["daysUntilNext": 1, "count": 1]])["id"] as? String)
                made.withLock { $0 = id }
            }
            let thread = made.withLock { $0 }
            // As if the scan scheduled for it had been lost: only the start-up scan can find it.
            try await ChatWorld.deleteJobs(storage, kind: "chat.reminder.scan")
            // Two days later, with no scan run in between: the start-up scan finds it at once.
            let later = ManualJobClock(now: EpochMillis.now() + 2 * Self.day)
            try await ChatWorld.run(storage, clock: later) { chat in
                try await eventually("the missed reminder") { try await Self.reminders(chat, thread: thread).count == 1 }
            }
        }
    }
}
