import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import SQLKit
import Testing

/// SPEC "Reminders" across the real processes. A real process runs on the real clock, so time is
/// moved the other way: the threads' next due times are put in the past in ChatService's own
/// storage while it is stopped, and its start-up scan (`ReminderScan.scheduleAtStart`) finds them.
@Suite("ChatService reminders (real processes)")
struct ChatReminderIntegrationTests {
    /// `reminders.nextAt` of the thread as the owner sees it; nil once they have stopped.
    static func nextAt(_ chat: ServiceHTTP, _ thread: String) async throws -> String? {
        (try await chat.send(.GET, "/v1/threads/\(thread)").json["reminders"] as? [String: Any])?["nextAt"] as? String
    }

    @Test("a reminder that fell due is sent once at start-up, about the last public message; none for a thread the client answered or one archived",
          arguments: TestEngine.all)
    func dueAtStartUp(engine: TestEngine) async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await IntegrationHarness.with(engine) { cluster in
                    let firm = try await ChatIntegrationTests.Firm.make(cluster)
                    let hook = try await FirmChatHook.subscribe(firm.chat, consumer: consumer, url: url)
                    let asContact = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)
                    let reminders = ["daysUntilNext": 1, "count": 1]
                    let start = { (subject: String, text: String) in
                        let made = try await firm.chat.send(.POST, "/v1/threads", json: [
                            "accountId": firm.account, "subject": subject, "text": text, "reminders": reminders,
                        ])
                        #expect(made.status == 201 && (made.json["reminders"] as? [String: Any])?["nextAt"] != nil, "\(made.json)")
                        return (try #require(made.json["id"] as? String), try #require((made.json["lastMessage"] as? [String: Any])?["id"] as? String))
                    }
                    // Due: the firm asked, and a note for the team came after (no message to the client).
                    let (due, asked) = try await start("Statements", "Please send your bank statements.")
                    #expect(try await firm.chat.send(.POST, "/v1/threads/\(due)/messages", json: ["text": "Chase them tomorrow", "internal": true]).status == 201)
                    // Answered: the client replied to the last message of a thread without tasks.
                    let (answered, _) = try await start("Letter", "Please sign the engagement letter.")
                    #expect(try await asContact.send(.POST, "/v1/threads/\(answered)/messages", json: ["text": "Signed and sent."]).status == 201)
                    #expect(try await Self.nextAt(firm.chat, answered) == nil, "the reply stopped them")
                    // Archived: the matter is done.
                    let (archived, _) = try await start("Done", "All sorted, thank you.")
                    let archiving = try await firm.chat.send(.POST, "/v1/threads/\(archived)/archive")
                    #expect(archiving.status == 200 && (archiving.json["reminders"] as? [String: Any])?["nextAt"] == nil, "\(archiving.json)")
                    try await hook.settled()
                    #expect(await hook.events("chat.thread.reminder_due").isEmpty, "nothing is due yet")

                    // Time passes, as far as the stored due times go: all three are marked due a minute ago (the
                    // answered and archived ones too, so the scan itself must refuse them), then ChatService starts again.
                    let chat = try #require(cluster.processes[.chat])
                    await chat.stop()
                    let database = try await ChatCluster.chatDatabase(cluster)
                    do {
                        try await database.sql.update("threads").set("next_reminder_at", to: SQLBind(EpochMillis.now() - 60_000))
                            .where("id", .in, SQLBind.group([due, answered, archived])).run()
                        try await database.close()
                    } catch {
                        try? await database.close()
                        throw error
                    }
                    try chat.start()
                    try await cluster.waitUntilReady(timeout: IntegrationHarness.startTimeout)

                    // The start-up scan handles all three: one reminder, and the others stopped.
                    try await eventually(timeout: .seconds(60), "the start-up scan to handle the three threads") {
                        for thread in [due, answered, archived] {
                            if try await Self.nextAt(firm.chat, thread) != nil { return false }
                        }
                        return true
                    }
                    try await hook.settled()
                    let sent = await hook.events("chat.thread.reminder_due")
                    #expect(sent.count == 1 && sent.first?.data["threadId"] as? String == due, "\(sent.map(\.body))")
                    let reminder = try #require(sent.first).data
                    let last = reminder["lastMessage"] as? [String: Any]
                    #expect(last?["id"] as? String == asked && last?["preview"] as? String == "Please send your bank statements." && last?["internal"] as? Bool == false,
                            "about the last message the client can see, not the note: \(reminder)")
                    #expect(reminder["recipientIds"] as? [String] == [firm.contactID] && reminder["accountId"] as? String == firm.account)
                    #expect(reminder["reminderNumber"] as? Int == 1 && reminder["reminderCount"] as? Int == 1 && reminder["subject"] as? String == "Statements")
                    let state = try await firm.chat.send(.GET, "/v1/threads/\(due)").json["reminders"] as? [String: Any]
                    #expect(state?["sent"] as? Int == 1 && state?["nextAt"] == nil, "all sent: \(String(describing: state))")
                    for thread in [answered, archived] {
                        #expect((try await firm.chat.send(.GET, "/v1/threads/\(thread)").json["reminders"] as? [String: Any])?["sent"] as? Int == 0)
                    }
                }
            }
        }
    }
}
