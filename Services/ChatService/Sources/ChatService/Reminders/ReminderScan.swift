import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import SQLKit

/// Sends the reminders that are due: one indexed look at `threads.next_reminder_at`, so a scan
/// costs what is due, not how many threads there are. Each due thread is locked with `SKIP
/// LOCKED` in the transaction that publishes its reminder and moves its next due time, so two
/// replicas never send one reminder twice, and a crash between the two sends nothing.
struct ReminderScan: Sendable {
    static let kind = JobKind<Run>("chat.reminder.scan", maxAttempts: 20)
    /// Threads per transaction.
    static let batch = 200

    struct Run: Codable, Sendable {}

    let outbox: Outbox
    let store: ThreadStore
    let clock: any JobClock

    /// Runs the scan until nothing is due; how many reminders went out.
    @discardableResult
    func run() async throws -> Int {
        var sent = 0
        while true {
            let (handled, published) = try await scanBatch(now: clock.now())
            sent += published
            if handled < Self.batch { return sent }
        }
    }

    /// One batch: each due thread either gets its reminder or stops being due.
    private func scanBatch(now: Int64) async throws -> (handled: Int, published: Int) {
        let store = self.store
        return try await outbox.transaction { tx in
            let due = try await store.dueReminders(at: now, limit: Self.batch, on: tx.sql)
            var published = 0
            for var thread in due {
                if try await remind(&thread, now: now, on: tx) { published += 1 }
                try await store.save(thread, on: tx.sql)
            }
            return (due.count, published)
        }
    }

    /// Publishes `chat.thread.reminder_due` unless the reminders have stopped; moves the thread's next due time.
    private func remind(_ thread: inout ThreadRecord, now: Int64, on tx: OutboxTransaction) async throws -> Bool {
        let recipients = try await store.recipients(of: thread.id, on: tx.sql)
        let last = try await store.messages(ids: [thread.lastPublicMessageId].compactMap { $0 }, on: tx.sql).first
        let allRead = try await store.everyoneRead(thread, readers: recipients, on: tx.sql)
        if thread.reminderStop(allRead: allRead, clientRepliedLast: last?.authorKind == Caller.Kind.contact.rawValue) != nil || last == nil {
            thread.stopReminders()
            return false
        }
        guard let last, let days = thread.reminderDays, let count = thread.reminderCount else { return false }
        thread.remindersSent += 1
        thread.nextReminderAt = thread.remindersSent < count ? now + days * ThreadRecord.dayMillis : nil
        try await tx.publish(EventTypes.chatThreadReminderDue, firmID: thread.firmId, payload: Components.Schemas.ReminderDueEvent(
            threadId: thread.id, firmId: thread.firmId, accountId: thread.accountId, subject: thread.subject, recipientIds: recipients,
            lastMessage: last.preview, reminderNumber: Int(thread.remindersSent), reminderCount: Int(count),
            completedTasks: Int(thread.tasksDone), totalTasks: Int(thread.tasksTotal), dueAt: EpochMillis.date(millis: now)))
        if let next = thread.nextReminderAt { try await Self.schedule(at: next, on: tx.sql) }
        return true
    }

    /// Makes sure a scan runs at `millis` (rounded up to the minute, so at most one scan a minute).
    static func schedule(at millis: Int64, on db: any SQLDatabase) async throws {
        let minute = (millis + 59_999) / 60_000 * 60_000
        try await JobQueue.enqueue(kind, Run(), runAt: minute, uniqueKey: "\(kind.name):\(minute)", in: db)
    }

    /// A scan at `now` exactly: at start-up, for whatever fell due while the service was down.
    static func scheduleAtStart(now: Int64, on db: any SQLDatabase) async throws {
        try await JobQueue.enqueue(kind, Run(), runAt: now, uniqueKey: "\(kind.name):start:\(now)", in: db)
    }

    /// The scan job, plus an hourly scan as a safety net for a schedule lost some other way.
    func handlers() -> JobHandlers {
        var jobs = JobHandlers()
        jobs.register(Self.kind) { _, _ in
            try await run()
            let hour = clock.now() / 3_600_000 + 1
            try await outbox.database.transaction { db in
                try await JobQueue.enqueue(Self.kind, Run(), runAt: hour * 3_600_000, uniqueKey: "\(Self.kind.name):hourly:\(hour)", in: db)
            }
            return .succeeded()
        }
        return jobs
    }
}

extension ThreadStore {
    /// Threads whose next reminder is due at `now`, oldest due first, locked for this transaction
    /// (skipping those another replica holds).
    func dueReminders(at now: Int64, limit: Int, on db: any SQLDatabase) async throws -> [ThreadRecord] {
        let lock = forUpdate.isEmpty ? "" : "FOR UPDATE SKIP LOCKED"
        return try await db.raw("""
            SELECT * FROM threads WHERE next_reminder_at IS NOT NULL AND next_reminder_at <= \(bind: now)
            ORDER BY next_reminder_at LIMIT \(bind: limit) \(unsafeRaw: lock)
            """).all(decoding: ThreadRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// Whether each of `readers` has read every message of the thread a contact can see.
    func everyoneRead(_ thread: ThreadRecord, readers: [String], on db: any SQLDatabase) async throws -> Bool {
        guard !readers.isEmpty else { return true }
        let counts = try await readCounts(threads: [thread.id], readers: readers, on: db)
        return readers.allSatisfy { (counts[$0] ?? 0) >= thread.publicCount }
    }

    /// Each reader's public read count in one thread.
    private func readCounts(threads ids: [String], readers: [String], on db: any SQLDatabase) async throws -> [String: Int64] {
        let rows = try await db.select().columns("reader_id", "read_public_count").from("read_states")
            .where("thread_id", .in, SQLBind.group(ids)).where("reader_id", .in, SQLBind.group(readers)).all()
        var counts: [String: Int64] = [:]
        for row in rows {
            counts[try row.decode(column: "reader_id", as: String.self)] = try row.decode(column: "read_public_count", as: Int64.self)
        }
        return counts
    }
}
