import ArgumentParser
import AtriumCluster
import AtriumRuntime
import Contracts
import Foundation
import SQLKit

/// The reminder scan over `threads` threads of which `due` are due: chat-service is stopped, the
/// threads written into its database, and chat-service started again — it schedules a scan at
/// start-up. Measured from the start to the last `chat.thread.reminder_due` row in its outbox,
/// and the scan's own time from its job attempt.
struct ReminderScanMeasure: ChatMeasure {
    let threads: Int
    let due: Int

    func run(in world: ChatBenchWorld, bare: BareRoute) async throws {
        guard let chat = world.cluster.processes[.chat] else { throw ValidationError("chat-service is not running") }
        await chat.stop()
        let database = try await world.database(.chat)
        do {
            try await measure(chat, database: database, world: world, bare: bare)
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
    }

    private func measure(_ chat: ServiceProcess, database: Database, world: ChatBenchWorld, bare: BareRoute) async throws {
        let seed = ReminderSeed(threads: threads, due: due, firm: world.firmID, author: world.ownerID, engine: database.engine, now: EpochMillis.now())
        let seeding = ContinuousClock.now
        try await seed.run(on: database)
        say(String(format: "seeded %d threads (each with one message and one recipient; %d due, ~%d with reminders due later, the rest off) STRAIGHT INTO "
                   + "chat's database with chat-service stopped (not through the API), one transaction: %.1f s",
                   threads, due, (threads - due) / 2, (ContinuousClock.now - seeding).seconds))
        let before = try await Self.lastSeq(database)
        let wallStart = EpochMillis.now()
        let started = ContinuousClock.now
        try chat.start()
        try await waitReady(world.cluster, chat: chat)
        let ready = (ContinuousClock.now - started).seconds
        try await waitForReminders(database, after: before, chat: chat, since: started)
        let total = (ContinuousClock.now - started).seconds
        let scan = try await ScanAttempt.find(database, since: wallStart)
        let span = try await Self.publishedSpan(database, after: before)
        say(String(format: "reminder scan, %d threads of which %d due: chat-service started → %d chat.thread.reminder_due rows in its outbox: %.1f s "
                   + "(ready after %.1f s; the scan began %.1f s after the start: %@)", threads, due, due, total, ready, Double(scan.startedAt - wallStart) / 1000,
                   scan.origin(start: wallStart)))
        let perThread = Double(scan.durationMs) / Double(due)
        say(String(format: "  the scan's own time (its job attempt): %d ms, %.2f ms per due thread → %.1f× the bare route's p50 (%.2f ms); "
                   + "first to last reminder row: %d ms", scan.durationMs, perThread, perThread / bare.latency.p50, bare.latency.p50, span))
        let left = try await Self.count(database, "SELECT COUNT(*) AS n FROM threads WHERE next_reminder_at <= \(seed.now)")
        say("  threads still due afterwards: \(left)" + (left == 0 ? "" : " — the scan left some"))
    }

    private func waitReady(_ cluster: Cluster, chat: ServiceProcess) async throws {
        while await !cluster.isReady(.chat) {
            guard chat.isRunning else { throw ValidationError("chat-service exited on restart:\n\(chat.logTail())") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Polls chat's outbox until `due` reminder rows are there (at most 10 minutes).
    private func waitForReminders(_ database: Database, after seq: Int, chat: ServiceProcess, since started: ContinuousClock.Instant) async throws {
        let query = "SELECT COUNT(*) AS n FROM outbox_events WHERE seq > \(seq) AND type = '\(EventTypes.chatThreadReminderDue)'"
        while try await Self.count(database, query) < due {
            guard chat.isRunning else { throw ValidationError("chat-service exited during the scan:\n\(chat.logTail())") }
            guard ContinuousClock.now - started < .seconds(600) else { throw ValidationError("not all \(due) reminders after 10 minutes") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func lastSeq(_ database: Database) async throws -> Int {
        try await count(database, "SELECT COALESCE(MAX(seq), 0) AS n FROM outbox_events")
    }

    /// Milliseconds from the first reminder row to the last.
    static func publishedSpan(_ database: Database, after seq: Int) async throws -> Int {
        try await count(database, """
            SELECT MAX(created_at) - MIN(created_at) AS n FROM outbox_events WHERE seq > \(seq) AND type = '\(EventTypes.chatThreadReminderDue)'
            """)
    }

    static func count(_ database: Database, _ query: String) async throws -> Int {
        try await database.sql.raw("\(unsafeRaw: query)").first(decoding: CountRow.self)?.n ?? 0
    }
}

/// The reminder scan's job attempt: when it began and how long it ran.
private struct ScanAttempt {
    var startedAt: Int64
    var durationMs: Int

    /// Why the scan began when it did, chat-service having started at `millis`.
    func origin(start millis: Int64) -> String {
        startedAt - millis > 1000
            ? "it waited for the next whole minute: ReminderScan.schedule rounds every scan, the start-up one included, up to the minute"
            : "a scan that fell due while chat-service was stopped ran at once"
    }

    /// The first finished attempt at the scan job since `millis` (waiting up to 60 s for it to finish).
    static func find(_ database: Database, since millis: Int64) async throws -> ScanAttempt {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let row = try await database.sql.raw("""
                SELECT a.started_at AS started_at, a.duration_ms AS duration_ms FROM job_attempts a JOIN jobs j ON j.id = a.job_id
                WHERE j.kind = 'chat.reminder.scan' AND a.started_at >= \(bind: millis) AND a.duration_ms IS NOT NULL
                ORDER BY a.started_at LIMIT 1
                """).first()
            if let row {
                return ScanAttempt(startedAt: try row.decode(column: "started_at", as: Int64.self),
                                   durationMs: try row.decode(column: "duration_ms", as: Int.self))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("no finished attempt at the reminder scan")
    }
}

private struct CountRow: Decodable {
    var n: Int
}
