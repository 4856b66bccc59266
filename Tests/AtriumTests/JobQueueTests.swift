@testable import AtriumRuntime
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing

/// The durable job queue on both engines: enqueue, claim with leases, retries on a clock the test
/// moves, attempts recorded (cut-off ones too), replicas that never run a job twice at once.
@Suite("Job queue", .serialized)
struct JobQueueTests {
    static let kind = JobKind<Note>("test.note", maxAttempts: 3)

    struct Note: Codable, Sendable, Equatable {
        var text: String
    }

    /// A migrated database of its own on `storage` (a second call gives a second pool on the same data).
    static func database(_ storage: TestStorage) async throws -> Database {
        let open = {
            try await Database.open(url: storage.engine.postgresURL, schema: storage.schemaPrefix + "chat",
                                    sqlitePath: storage.directory.appendingPathComponent("jobs.sqlite").path, logger: Logger(label: "jobs"))
        }
        let first = try await open()
        try await Migrator(database: first).run(EventMigrations.all)
        try await first.close()
        return storage.track(try await open())
    }

    static func enqueue(_ database: Database, _ text: String, runAt: Int64? = nil, key: String? = nil) async throws -> String? {
        try await database.transaction { tx in try await JobQueue.enqueue(kind, Note(text: text), runAt: runAt, uniqueKey: key, in: tx) }
    }

    /// Runs `runner` for the duration of `body`, then cancels it and waits until it has stopped
    /// (its jobs' last writes done), so the database can be closed.
    static func running<T: Sendable>(_ runner: JobRunner, _ body: () async throws -> T) async throws -> T {
        let task = Task { try await runner.run() }
        do {
            let result = try await body()
            task.cancel()
            _ = try? await task.value
            return result
        } catch {
            task.cancel()
            _ = try? await task.value
            throw error
        }
    }

    static func attempts(_ database: Database, _ id: String) async throws -> [String] {
        try await database.sql.select().column("outcome").from("job_attempts").where("job_id", .equal, SQLBind(id))
            .orderBy("number").all(decoding: Outcome.self).map(\.outcome)
    }

    static func status(_ database: Database, _ id: String) async throws -> String? {
        try await database.sql.select().column("status").from("jobs").where("id", .equal, SQLBind(id))
            .first(decoding: Status.self)?.status
    }

    struct Outcome: Decodable { var outcome: String }
    struct Status: Decodable { var status: String }

    static let policy = JobRetryPolicy(base: .seconds(10), maxDelay: .seconds(60), lease: .seconds(30))

    @Test("a unique key makes enqueueing idempotent; a rolled-back transaction enqueues nothing", arguments: TestEngine.all)
    func enqueueIsTransactionalAndIdempotent(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await Self.database(storage)
            #expect(try await Self.enqueue(database, "a", key: "event-1") != nil)
            #expect(try await Self.enqueue(database, "a again", key: "event-1") == nil)
            struct Rollback: Error {}
            _ = try? await database.transaction { tx -> String? in
                _ = try await JobQueue.enqueue(Self.kind, Note(text: "b"), in: tx)
                throw Rollback()
            }
            let count = try await database.sql.raw("SELECT COUNT(*) AS n FROM jobs").first(decoding: Count.self)?.n
            #expect(count == 1)
            try await database.close()
        }
    }

    struct Count: Decodable { var n: Int }

    @Test("a failing job is retried on the test's clock, every attempt recorded, dead after its budget, then replayed", arguments: TestEngine.all)
    func retriesAndDeath(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await Self.database(storage)
            let clock = ManualJobClock()
            let runs = Atomic<Int>(0)
            var handlers = JobHandlers()
            handlers.register(Self.kind, policy: Self.policy) { _, note in
                runs.add(1, ordering: .relaxed)
                return note.text == "ok" ? .succeeded() : .failed("no")
            }
            let signal = OutboxSignal()
            let runner = JobRunner(database: database, handlers: handlers, signal: signal, clock: clock, logger: Logger(label: "runner"))
            try await Self.running(runner) {
                let id = try #require(try await Self.enqueue(database, "fail", runAt: clock.now()))
                signal.notify()
                try await eventually("attempt 1") { try await Self.attempts(database, id) == ["failed"] }
                #expect(runs.load(ordering: .relaxed) == 1)
                clock.advance(by: 4_000)  // back-off after attempt 1 is 5-10 s
                #expect(try await Self.attempts(database, id) == ["failed"])
                clock.advance(by: 6_000)
                // Recorded, not just begun: the retry time is set from the clock when the attempt ends.
                try await eventually("attempt 2") { try await Self.attempts(database, id) == ["failed", "failed"] }
                clock.advance(by: 20_000)
                try await eventually("attempt 3, the last") { try await Self.status(database, id) == "dead" }
                #expect(try await Self.attempts(database, id) == ["failed", "failed", "failed"])
                let replayed = try await database.transaction { tx in
                    try await JobStore.replay(tx, id: id, extraAttempts: 1, now: clock.now())
                }
                #expect(replayed)
                signal.notify()
                try await eventually("the replayed attempt") { try await Self.attempts(database, id).count == 4 }
                try await eventually("dead again") { try await Self.status(database, id) == "dead" }
            }
            try await database.close()
        }
    }

    @Test("a job whose runner died runs again after its lease; the cut-off attempt is recorded as lost", arguments: TestEngine.all)
    func leaseRecovery(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await Self.database(storage)
            let clock = ManualJobClock()
            let id = try #require(try await Self.enqueue(database, "ok", runAt: clock.now()))
            // A replica claims it and dies before finishing.
            let claimed = try await JobStore(database: database).claim(kinds: [Self.kind.name], limit: 10, now: clock.now()) { _ in 30_000 }
            #expect(claimed.map(\.id) == [id])
            var handlers = JobHandlers()
            handlers.register(Self.kind, policy: Self.policy) { _, _ in .succeeded() }
            let signal = OutboxSignal()
            let runner = JobRunner(database: database, handlers: handlers, signal: signal, clock: clock, logger: Logger(label: "runner"))
            try await Self.running(runner) {
                signal.notify()
                try await eventually("the runner to wait for the lease") { clock.sleepers >= 1 }
                #expect(try await Self.status(database, id) == "pending")
                clock.advance(by: 29_000)
                #expect(try await Self.attempts(database, id) == ["running"])
                clock.advance(by: 1_000)
                try await eventually("the job to run again") { try await Self.status(database, id) == "succeeded" }
                #expect(try await Self.attempts(database, id) == ["lost", "succeeded"])
            }
            try await database.close()
        }
    }

    @Test("two runners on one database never run a job twice, nor at once", arguments: TestEngine.all)
    func twoReplicas(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let (first, second) = (try await Self.database(storage), try await Self.database(storage))
            let running = Mutex<Set<String>>([])
            let overlaps = Atomic<Int>(0)
            let runs = Mutex<[String: Int]>([:])
            var handlers = JobHandlers()
            handlers.register(Self.kind, policy: Self.policy) { job, _ in
                if !running.withLock({ $0.insert(job.id).inserted }) { overlaps.add(1, ordering: .relaxed) }
                await Task.yield()
                runs.withLock { $0[job.id, default: 0] += 1 }
                running.withLock { _ = $0.remove(job.id) }
                return .succeeded()
            }
            let count = 200
            for index in 0..<count { _ = try await Self.enqueue(first, "job \(index)") }
            let signals = (OutboxSignal(), OutboxSignal())
            let a = JobRunner(database: first, handlers: handlers, signal: signals.0, concurrency: 4, idlePoll: .milliseconds(20), logger: Logger(label: "a"))
            let b = JobRunner(database: second, handlers: handlers, signal: signals.1, concurrency: 4, idlePoll: .milliseconds(20), logger: Logger(label: "b"))
            try await Self.running(a) {
                try await Self.running(b) {
                    signals.0.notify()
                    signals.1.notify()
                    try await eventually("every job to run") { runs.withLock { $0.count } == count }
                }
            }
            #expect(overlaps.load(ordering: .relaxed) == 0)
            #expect(runs.withLock { $0.values.allSatisfy { $0 == 1 } })
            #expect(a.stats.claims.load(ordering: .relaxed) > 0 && b.stats.claims.load(ordering: .relaxed) > 0, "both replicas took part")
            try await first.close()
            try await second.close()
        }
    }

    @Test("the runner does not spin: a job in flight, every slot busy, a lease held by a dead replica", arguments: TestEngine.all)
    func noBusyLoop(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await Self.database(storage)
            let clock = ManualJobClock()
            let started = Atomic<Int>(0)
            var handlers = JobHandlers()
            handlers.register(Self.kind, policy: Self.policy) { _, note in
                started.add(1, ordering: .relaxed)
                if note.text == "hang" { try await clock.sleep(until: .max) }
                return .succeeded()
            }
            // A lease a dead replica holds, and two jobs that hang in flight with one slot each.
            _ = try await Self.enqueue(database, "orphan", runAt: clock.now())
            _ = try await JobStore(database: database).claim(kinds: [Self.kind.name], limit: 1, now: clock.now()) { _ in 30_000 }
            for _ in 0..<3 { _ = try await Self.enqueue(database, "hang", runAt: clock.now()) }
            let signal = OutboxSignal()
            let runner = JobRunner(database: database, handlers: handlers, signal: signal, clock: clock, concurrency: 2, logger: Logger(label: "runner"))
            try await Self.running(runner) {
                signal.notify()
                try await eventually("both slots busy") { started.load(ordering: .relaxed) == 2 }
                let passes = runner.stats.passes.load(ordering: .relaxed)
                // Real time passes, the test's clock does not: a busy loop would look again and again.
                try await Task.sleep(for: .milliseconds(300))
                #expect(runner.stats.passes.load(ordering: .relaxed) - passes <= 1)
                #expect(runner.stats.claims.load(ordering: .relaxed) <= 2)
            }
            try await database.close()
        }
    }

    @Test("retention prunes finished jobs, their deliveries and outbox rows, and old inbox ids; nothing pending or recent", arguments: TestEngine.all)
    func retention(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await Self.database(storage)
            let day: Int64 = 86_400_000
            let now = EpochMillis.now()
            let old = try #require(try await Self.enqueue(database, "old"))
            let recent = try #require(try await Self.enqueue(database, "recent"))
            let pending = try #require(try await Self.enqueue(database, "pending", runAt: now - 40 * day))
            for (id, finished) in [(old, now - 31 * day), (recent, now - 29 * day)] {
                try await database.sql.update("jobs").set("status", to: SQLBind("succeeded")).set("finished_at", to: SQLBind(finished))
                    .where("id", .equal, SQLBind(id)).run()
            }
            for (id, received) in [("msg_old", now - 40 * day), ("msg_kept", now - 31 * day)] {
                try await database.sql.insert(into: "webhook_inbox").columns("webhook_id", "event_type", "received_at")
                    .values(SQLBind(id), SQLBind("t"), SQLBind(received)).run()
            }
            try await database.sql.insert(into: "outbox_events").columns("id", "type", "payload", "created_at", "dispatched_at")
                .values(SQLBind("msg_1"), SQLBind("t"), SQLBind("{}"), SQLBind(now - 31 * day), SQLBind(now - 31 * day)).run()
            let retention = WebhookRetention(database: database, retentionMillis: 30 * day, retrySpanMillis: day)
            try await retention.prune(now: now)
            #expect(try await Self.status(database, old) == nil)
            #expect(try await Self.status(database, recent) == "succeeded")
            #expect(try await Self.status(database, pending) == "pending")
            let inbox = try await database.sql.select().column("webhook_id").from("webhook_inbox").all(decoding: Inbox.self).map(\.webhookId)
            #expect(inbox == ["msg_kept"], "kept for retention + twice the retry span")
            let outbox = try await database.sql.raw("SELECT COUNT(*) AS n FROM outbox_events").first(decoding: Count.self)?.n
            #expect(outbox == 0)
            try await database.close()
        }
    }

    struct Inbox: Decodable {
        var webhookId: String
        enum CodingKeys: String, CodingKey { case webhookId = "webhook_id" }
    }
}

/// PostgreSQL replicas wake each other with `LISTEN/NOTIFY`.
@Suite("Job queue: other replicas are woken at once (PostgreSQL)", .serialized)
struct JobNotificationTests {
    @Test("a job enqueued by one replica wakes another whose clock stands still", arguments: TestEngine.all.filter { $0.postgresURL != nil })
    func notifyWakesOtherReplicas(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let (producer, consumer) = (try await JobQueueTests.database(storage), try await JobQueueTests.database(storage))
            let clock = ManualJobClock()
            let ran = Mutex<[String]>([])
            var handlers = JobHandlers()
            handlers.register(JobQueueTests.kind) { _, note in
                ran.withLock { $0.append(note.text) }
                return .succeeded()
            }
            // The test's clock never moves, so neither the idle poll nor a due time can wake this runner.
            let runner = JobRunner(database: consumer, handlers: handlers, signal: OutboxSignal(), clock: clock, logger: Logger(label: "b"))
            try await JobQueueTests.running(runner) {
                try await eventually("the runner to idle") { clock.sleepers >= 1 && runner.stats.passes.load(ordering: .relaxed) >= 1 }
                _ = try await JobQueueTests.enqueue(producer, "from the other replica", runAt: clock.now())
                try await eventually("the job to run") { ran.withLock { $0 } == ["from the other replica"] }
            }
            try await producer.close()
            try await consumer.close()
        }
    }
}
