import ArgumentParser
import AtriumRuntime
import Foundation
import Logging
import SQLKit
import Synchronization

/// `atrium bench-jobs`: jobs per second through the durable job queue (enqueue, claim, run a no-op
/// handler, record the attempt), beside a baseline from the same run: plain write transactions
/// per second on the same database.
struct BenchJobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-jobs", abstract: "Measure job queue throughput against plain write transactions.")

    @Option(help: "Jobs to push through the queue.")
    var jobs = 5000

    @Option(help: "Jobs the runner runs at once.")
    var concurrency = 16

    @Option(help: "Run on PostgreSQL at this URL instead of SQLite.")
    var postgres: String?

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-bench-jobs-\(UUID().uuidString)")
        let schema = "benchjobs\(Int.random(in: 0..<1_000_000))"
        let open = {
            try await Database.open(url: postgres, schema: schema, sqlitePath: directory.appendingPathComponent("jobs.sqlite").path,
                                    logger: Logger(label: "bench-jobs"))
        }
        let first = try await open()
        try await Migrator(database: first).run(EventMigrations.all)
        try await first.close()
        let database = try await open()
        do {
            try await measure(database)
            if postgres != nil { try await database.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func measure(_ database: Database) async throws {
        let engine = postgres == nil ? "SQLite" : "PostgreSQL"
        let baseline = try await transactionsPerSecond(database, count: min(jobs, 2000))
        say(String(format: "%@ baseline: %.0f write transactions/s (one INSERT each, one at a time)", engine, baseline))
        let kind = JobKind<Int>("bench.noop")
        let enqueueStart = ContinuousClock.now
        for batch in stride(from: 0, to: jobs, by: 100) {
            try await database.transaction { tx in
                for index in batch..<min(batch + 100, jobs) { try await JobQueue.enqueue(kind, index, in: tx) }
            }
        }
        let enqueued = Double(jobs) / (ContinuousClock.now - enqueueStart).seconds
        say(String(format: "%@ enqueue: %.0f jobs/s (100 per transaction)", engine, enqueued))
        let done = Atomic<Int>(0)
        var handlers = JobHandlers()
        handlers.register(kind) { _, _ in
            done.add(1, ordering: .relaxed)
            return .succeeded()
        }
        let signal = OutboxSignal()
        let runner = JobRunner(database: database, handlers: handlers, signal: signal, concurrency: concurrency,
                               logger: Logger(label: "bench-jobs"))
        let started = ContinuousClock.now
        let task = Task { try await runner.run() }
        signal.notify()
        while try await finished(database) < jobs { try await Task.sleep(for: .milliseconds(20)) }
        let rate = Double(jobs) / (ContinuousClock.now - started).seconds
        task.cancel()
        _ = try? await task.value
        say(String(format: "%@ run: %.0f jobs/s claimed, run and recorded (%d jobs, %d at once) → %.2f× the baseline transaction rate",
                   engine, rate, jobs, concurrency, rate / baseline))
    }

    private func finished(_ database: Database) async throws -> Int {
        try await database.sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE status = 'succeeded'").first(decoding: CountRow.self)?.n ?? 0
    }

    private func transactionsPerSecond(_ database: Database, count: Int) async throws -> Double {
        try await database.sql.raw("CREATE TABLE bench_baseline (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)").run()
        let started = ContinuousClock.now
        for index in 0..<count {
            try await database.transaction { tx in
                try await tx.raw("INSERT INTO bench_baseline (id, at) VALUES (\(bind: index), \(bind: EpochMillis.now()))").run()
            }
        }
        return Double(count) / (ContinuousClock.now - started).seconds
    }
}

private struct CountRow: Decodable {
    var n: Int
}

extension Duration {
    var seconds: Double { fractionalMilliseconds / 1000 }
}
