import AtriumRuntime
@testable import ChatService
import Foundation
import Logging
import Testing

/// The log's order on PostgreSQL, where transactions commit out of sequence order.
extension ChatLiveTests {
    @Test("on PostgreSQL, a row whose transaction commits late is not passed over: later rows wait for it",
          .enabled(if: TestEngine.all.count > 1))
    func lateCommit() async throws {
        try await TestStorage.with(TestEngine.all[1]) { storage in
            let database = try await Self.database(storage)
            do {
                try await Migrator(database: database).run([ChatMigrations.liveUpdates])
                try await Self.commitOutOfOrder(LiveLog(database: database))
                try await database.close()
            } catch {
                try? await database.close()
                throw error
            }
        }
    }

    /// `slow` takes its transaction id (and sequence number) first but commits after `fast`.
    static func commitOutOfOrder(_ log: LiveLog) async throws {
        let (written, wrote) = AsyncStream.makeStream(of: Void.self)
        let (release, released) = AsyncStream.makeStream(of: Void.self)
        let slow = Task {
            try await log.database.transaction { db in
                try await log.append(update("slow"), on: db)
                wrote.yield()
                for await _ in release { break }
            }
        }
        for await _ in written { break }
        try await log.database.transaction { db in try await log.append(update("fast"), on: db) }
        // `fast` has committed, but `slow`, older, may yet: nothing is handed out, and the reader knows to look again.
        let early = try await log.page(after: .start)
        #expect(early.rows.isEmpty && early.pending, "\(early.rows.map(\.update.event))")
        released.yield()
        try await slow.value
        // Other transactions of the server may hold the horizon back a moment longer.
        try await eventually("both rows to be handed out") { try await log.page(after: .start).rows.count == 2 }
        #expect(try await log.page(after: .start).rows.map(\.update.event) == ["slow", "fast"])
    }

    static func update(_ event: String) -> LiveUpdate {
        LiveUpdate(threadID: "thr_order", firmID: "firm_test", accountID: "acct_1", event: event, audience: .everyone, data: "{}")
    }
}
