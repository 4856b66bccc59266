import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import SQLKit
import Testing

/// NotifyService's e-mail queue against a real SMTP server that goes away, and a NotifyService
/// that is killed: nothing is lost; reminders arrive when due.
@Suite("NotifyService's e-mail when things fail (real processes, real SMTP)")
struct NotifyDeliveryIntegrationTests {
    /// A firm whose client sends `count` replies, each an e-mail to the owner; the owner's client.
    static func replies(_ firm: ChatIntegrationTests.Firm, _ cluster: Cluster, count: Int) async throws {
        let thread = try #require(try await firm.chat.send(.POST, "/v1/threads", json: [
            "accountId": firm.account, "subject": "Backlog", "text": "Please reply",
        ]).json["id"] as? String)
        let asClient = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)
        for index in 0..<count {
            #expect(try await asClient.send(.POST, "/v1/threads/\(thread)/messages", json: ["text": "Reply \(index)"]).status == 201)
        }
    }

    /// The firm's e-mails about replies, through NotifyService's queue. (The contact's invitation is
    /// left out: the test accepts it before NotifyService may send it, and then it is not sent.)
    static func emails(_ cluster: Cluster, owner: String) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var cursor: String?
        repeat {
            let page = try await ServiceHTTP(base: cluster.url(.notify), token: owner)
                .send(.GET, "/v1/emails?limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")).json
            all += page["items"] as? [[String: Any]] ?? []
            cursor = page["nextCursor"] as? String
        } while cursor != nil
        return all.filter { $0["kind"] as? String == "message" }
    }

    @Test("the SMTP server is down a while, then up: every e-mail arrives exactly once", arguments: TestEngine.all)
    func serverDownThenUp(engine: TestEngine) async throws {
        let port = try FreePorts.take(1)[0]
        var settings = NotifyIntegrationTests.settings(nil, port: port)
        // Retried every few hundred milliseconds while the server is away, with budget to spare.
        settings["ATRIUM_EMAIL_RETRY_MAX_MS"] = "300"
        settings["ATRIUM_EMAIL_MAX_ATTEMPTS"] = "1000"
        try await IntegrationHarness.with(engine, settings: settings) { cluster in
            let firm = try await ChatIntegrationTests.Firm.make(cluster)
            try await Self.replies(firm, cluster, count: 12)
            // Nobody listens: every e-mail waits with its failed attempts, none is dropped.
            try await eventually(timeout: .seconds(60), "twelve replies queued and retried") {
                let emails = try await Self.emails(cluster, owner: firm.owner)
                return emails.count == 12 && emails.allSatisfy { $0["status"] as? String == "queued" && ($0["attempts"] as? Int ?? 0) >= 1 }
            }
            let failing = try await Self.emails(cluster, owner: firm.owner)
            #expect(failing.allSatisfy { ($0["lastError"] as? String)?.isEmpty == false }, "\(failing.first ?? [:])")

            try await SMTPSink.with(SMTPSink.Options(port: port)) { sink in
                try await eventually(timeout: .seconds(60), "every e-mail sent") {
                    try await Self.emails(cluster, owner: firm.owner).allSatisfy { $0["status"] as? String == "sent" }
                }
                let received = try sink.messages().filter { ($0.subject ?? "").contains("replied in") }
                let ids = received.compactMap { $0.header("Message-ID") }
                #expect(received.count == 12 && Set(ids).count == 12, "\(received.count) messages, \(Set(ids).count) distinct")
            }
        }
    }

    @Test("NotifyService killed while it sends: afterwards every e-mail has arrived, any repeat is the same message", arguments: TestEngine.all)
    func killedMidBatch(engine: TestEngine) async throws {
        let port = try FreePorts.take(1)[0]
        try await IntegrationHarness.with(engine, settings: NotifyIntegrationTests.settings(nil, port: port)) { cluster in
            let firm = try await ChatIntegrationTests.Firm.make(cluster)
            let count = 60
            try await Self.replies(firm, cluster, count: count)
            try await eventually(timeout: .seconds(60), "the backlog queued") { try await Self.emails(cluster, owner: firm.owner).count == count }
            try await SMTPSink.with(SMTPSink.Options(port: port)) { sink in
                try await eventually(timeout: .seconds(60), "half the e-mails to go out") { try sink.messages().count >= count / 2 }
                let notify = try #require(cluster.processes[.notify])
                notify.signal(SIGKILL)
                #expect(await notify.waitForExit(timeout: ServiceProcess.killWait))
                try notify.start()
                try await cluster.waitUntilReady(timeout: IntegrationHarness.startTimeout)
                try await eventually(timeout: .seconds(90), "every e-mail sent after the restart") {
                    try await Self.emails(cluster, owner: firm.owner).allSatisfy { $0["status"] as? String == "sent" }
                }
                let received = try sink.messages().filter { ($0.subject ?? "").contains("replied in") }
                let queued = Set(try await Self.emails(cluster, owner: firm.owner).compactMap { $0["messageId"] as? String }.map { "<\($0)>" })
                let arrived = received.compactMap { $0.header("Message-ID") }
                #expect(Set(arrived) == queued, "none lost: \(queued.subtracting(arrived).count) missing")
                // SMTP cannot say whether a message cut off by the kill was taken: such a one goes again,
                // as the same message (same Message-ID), which receivers drop. Only those in flight can
                // repeat — at most `smtp.connections` (4) at once, never the half already sent.
                let repeats = arrived.count - Set(arrived).count
                #expect(repeats <= 4, "\(repeats) repeats")
            }
        }
    }

    @Test("a reminder e-mail about the thread's last message reaches the client once, when it falls due", arguments: TestEngine.all)
    func reminderEmail(engine: TestEngine) async throws {
        try await SMTPSink.with { sink in
            try await IntegrationHarness.with(engine, settings: NotifyIntegrationTests.settings(sink)) { cluster in
                let firm = try await ChatIntegrationTests.Firm.make(cluster)
                let clientEmail = try #require(try await ServiceHTTP(base: cluster.url(.account), token: firm.contact).send(.GET, "/v1/me").json["email"] as? String)
                let thread = try #require(try await firm.chat.send(.POST, "/v1/threads", json: [
                    "accountId": firm.account, "subject": "Signature", "text": "Please sign the engagement letter",
                    "reminders": ["daysUntilNext": 3, "count": 1],
                ]).json["id"] as? String)
                let opening = { try NotifyIntegrationTests.mail(sink, to: clientEmail).filter { $0.subject?.hasPrefix("Reminder") != true } }
                try await eventually("the new thread's e-mail") { try opening().contains { $0.subject == "You have a new message from Skeleton & Sons" } }
                let before = try opening().count
                // Three days pass, as far as the stored due time goes; ChatService's start-up scan finds it due.
                let chat = try #require(cluster.processes[.chat])
                await chat.stop()
                let database = try await ChatCluster.chatDatabase(cluster)
                do {
                    try await database.sql.update("threads").set("next_reminder_at", to: SQLBind(EpochMillis.now() - 60_000))
                        .where("id", .equal, SQLBind(thread)).run()
                    try await database.close()
                } catch {
                    try? await database.close()
                    throw error
                }
                try chat.start()
                try await cluster.waitUntilReady(timeout: IntegrationHarness.startTimeout)
                let reminder = try #require(try await NotifyIntegrationTests.waitForMail(sink, to: clientEmail, count: before + 1).last)
                #expect(reminder.subject == "Reminder: Skeleton & Sons is waiting for your reply", "\(reminder.subject ?? "")")
                #expect((reminder.text ?? "").contains("https://portal.atrium.test/threads/\(thread)"))
                let items = try await ServiceHTTP(base: cluster.url(.notify), token: firm.contact).send(.GET, "/v1/inbox?kind=reminder").json["items"] as? [[String: Any]] ?? []
                #expect(items.count == 1 && items.first?["summary"] as? String == "Please sign the engagement letter")
                #expect(try NotifyIntegrationTests.mail(sink, to: clientEmail).count == before + 1, "one reminder, the count asked for")
            }
        }
    }
}
