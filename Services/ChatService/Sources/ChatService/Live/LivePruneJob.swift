import AtriumRuntime
import Foundation

/// Prunes the live-updates log every hour, keeping `chat.live.retention.hours` of it: a stream
/// resuming from an update no longer kept gets `reset` (reload) instead of a replay.
enum LivePruneJob {
    struct Run: Codable, Sendable {}

    static let kind = JobKind<Run>("chat.live.prune", maxAttempts: 3)
    static let everyMillis: Int64 = 3_600_000

    /// Enqueues the run of the hour after `now` (milliseconds); enqueueing it twice changes nothing.
    static func scheduleNext(_ database: Database, after now: Int64) async throws {
        let period = now / everyMillis + 1
        try await database.transaction { tx in
            try await JobQueue.enqueue(kind, Run(), runAt: period * everyMillis, uniqueKey: "\(kind.name):\(period)", in: tx)
        }
    }

    /// The handler: prunes, then schedules the next run.
    static func handlers(_ log: LiveLog, retention: Duration) -> JobHandlers {
        var jobs = JobHandlers()
        jobs.register(kind) { _, _ in
            let now = EpochMillis.now()
            try await log.prune(before: now - retention.milliseconds)
            try await scheduleNext(log.database, after: now)
            return .succeeded()
        }
        return jobs
    }
}
