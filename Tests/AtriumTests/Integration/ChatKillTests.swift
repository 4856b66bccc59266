import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Synchronization
import Testing

/// ChatService killed while replies pour in: every reply a client sent — answered or cut off —
/// is there exactly once after the restart and the clients' retries with the same keys.
@Suite("ChatService killed mid-write (real processes)")
struct ChatKillTests {
    @Test("killed while 120 replies are posted: after the restart and the retries, each reply exists once", arguments: TestEngine.all)
    func killedMidReplies(engine: TestEngine) async throws {
        // A reply cut off by the kill holds its key until the lease runs out (2 minutes by default).
        try await IntegrationHarness.with(engine, settings: ["ATRIUM_IDEMPOTENCY_LEASE_SECONDS": "2"]) { cluster in
            let firm = try await ChatIntegrationTests.Firm.make(cluster)
            let made = try await firm.chat.send(.POST, "/v1/threads", json: ["accountId": firm.account, "subject": "Crash", "text": "Start"])
            let thread = try #require(made.json["id"] as? String)
            let asContact = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)
            let count = 120
            let answered = Tally()
            let posting = Task {
                await withTaskGroup(of: Void.self) { group in
                    for index in 0..<count {
                        group.addTask {
                            let reply = try? await asContact.send(.POST, "/v1/threads/\(thread)/messages", json: ["text": "Reply \(index)"],
                                                                  headers: [("Idempotency-Key", "reply-\(index)")])
                            if reply?.status == 201 { answered.count.add(1, ordering: .relaxed) }
                        }
                    }
                }
            }
            try await eventually("some replies to land") { answered.count.load(ordering: .relaxed) >= 10 }
            let process = try #require(cluster.processes[.chat])
            process.signal(SIGKILL)
            #expect(await process.waitForExit(timeout: ServiceProcess.killWait))
            await posting.value
            try process.start()
            try await cluster.waitUntilReady(timeout: IntegrationHarness.startTimeout)
            // Each client retries with its key until it is answered (a key cut off in flight is held a moment).
            for index in 0..<count {
                try await eventually("reply \(index) to be answered") {
                    try await asContact.send(.POST, "/v1/threads/\(thread)/messages", json: ["text": "Reply \(index)"],
                                             headers: [("Idempotency-Key", "reply-\(index)")]).status == 201
                }
            }
            var texts: [String] = []
            var cursor: String?
            repeat {
                let page = try await firm.chat.send(.GET, "/v1/threads/\(thread)/messages?limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")).json
                texts += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            let replies = texts.filter { $0.hasPrefix("Reply ") }
            #expect(replies.count == count && Set(replies).count == count, "\(replies.count) replies stored for \(count) sent")
            #expect(try await firm.chat.send(.GET, "/v1/threads/\(thread)").json["messageCount"] as? Int == count + 1)
        }
    }
}

/// A count shared by concurrent tasks.
final class Tally: Sendable {
    let count = Atomic<Int>(0)
}
