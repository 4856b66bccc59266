import Foundation
import SQLKit

/// The SQL of the job queue; one code path for SQLite and PostgreSQL.
struct JobStore: Sendable {
    let database: Database

    private var skipLocked: String { database.engine == .postgres ? "FOR UPDATE SKIP LOCKED" : "" }

    /// When the earliest pending job of `kinds` may be claimed (its due time, or its lease's expiry); a read.
    func nextDue(kinds: [String]) async throws -> Int64? {
        try await database.sql.raw(
            "SELECT MIN(run_at) AS next FROM jobs WHERE status = 'pending' AND kind IN (\(binds: kinds))"
        ).first(decoding: NextDueRow.self)?.next
    }

    /// Leases up to `limit` due jobs of `kinds` in one transaction and opens an attempt for each.
    ///
    /// A job whose previous lease ran out was cut off mid-attempt (its process died or hung): that
    /// attempt is recorded as `lost` here, and the job is dead if it had no attempts left.
    func claim(kinds: [String], limit: Int, now: Int64, lease: @escaping @Sendable (String) -> Int64) async throws -> [ClaimedJob] {
        let lock = skipLocked
        return try await database.transaction { tx in
            let due = try await tx.raw("""
                SELECT id, kind, payload, attempts, attempt_budget, lease_token FROM jobs
                WHERE status = 'pending' AND run_at <= \(bind: now) AND kind IN (\(binds: kinds))
                ORDER BY run_at, id LIMIT \(bind: limit) \(unsafeRaw: lock)
                """).all(decoding: DueRow.self, keyDecodingStrategy: .snakeCaseColumns)
            guard !due.isEmpty else { return [] }
            try await Self.recordLost(tx, due.filter { $0.leaseToken != nil }, now: now)
            let (spent, runnable) = (due.filter { $0.attempts >= $0.attemptBudget }, due.filter { $0.attempts < $0.attemptBudget })
            if !spent.isEmpty {
                try await tx.update("jobs").set("status", to: SQLBind("dead")).set("lease_token", to: SQLBind(String?.none))
                    .set("finished_at", to: SQLBind(now))
                    .set("last_error", to: SQLBind("the last attempt was cut off (its lease expired) and no attempts are left"))
                    .where("id", .in, SQLBind.group(spent.map(\.id))).run()
            }
            let token = Identifier.make("lease")
            for (kind, rows) in Dictionary(grouping: runnable, by: \.kind) {
                try await tx.raw("""
                    UPDATE jobs SET attempts = attempts + 1, lease_token = \(bind: token), run_at = \(bind: now + lease(kind))
                    WHERE id IN (\(binds: rows.map(\.id)))
                    """).run()
            }
            if !runnable.isEmpty {
                var insert = tx.insert(into: "job_attempts").columns("job_id", "number", "started_at", "outcome")
                for row in runnable {
                    insert = insert.values(SQLBind(row.id), SQLBind(row.attempts + 1), SQLBind(now), SQLBind("running"))
                }
                try await insert.run()
            }
            return runnable.map {
                ClaimedJob(id: $0.id, kind: $0.kind, payload: $0.payload, attempt: $0.attempts + 1,
                           maxAttempts: $0.attemptBudget, leaseToken: token)
            }
        }
    }

    private static func recordLost(_ tx: any SQLDatabase, _ rows: [DueRow], now: Int64) async throws {
        guard !rows.isEmpty else { return }
        try await tx.update("job_attempts").set("outcome", to: SQLBind("lost"))
            .set("error", to: SQLBind("cut off: the lease expired before the attempt finished (the process stopped or hung)"))
            .where("job_id", .in, SQLBind.group(rows.map(\.id))).where("outcome", .equal, SQLBind("running")).run()
    }

    /// Extends a running attempt's lease to `until`; false when the lease is no longer this
    /// attempt's (it ran out and another runner took the job, or the job was cancelled).
    func renew(_ job: ClaimedJob, until: Int64) async throws -> Bool {
        try await database.sql.raw("""
            UPDATE jobs SET run_at = \(bind: until)
            WHERE id = \(bind: job.id) AND lease_token = \(bind: job.leaseToken) AND status = 'pending' RETURNING id
            """).first(decoding: JobIDRow.self) != nil
    }

    /// Closes the attempt and moves the job on: done, retried at `retryAt`, dead or cancelled.
    /// The job is left alone if its lease was lost meanwhile (another runner has it, or it was cancelled).
    func finish(_ job: ClaimedJob, status: JobStatus, retryAt: Int64?, result: JobResult, durationMs: Int64, now: Int64) async throws {
        let (outcome, code, error) = result.attemptRecord
        try await database.transaction { tx in
            try await tx.update("job_attempts").set("outcome", to: SQLBind(outcome)).set("code", to: SQLBind(code.map(Int64.init)))
                .set("error", to: SQLBind(error)).set("duration_ms", to: SQLBind(durationMs))
                .where("job_id", .equal, SQLBind(job.id)).where("number", .equal, SQLBind(job.attempt)).run()
            try await tx.update("jobs").set("status", to: SQLBind(status.rawValue))
                .set("run_at", to: SQLBind(retryAt ?? now)).set("lease_token", to: SQLBind(String?.none))
                .set("last_error", to: SQLBind(error)).set("finished_at", to: SQLBind(status == .pending ? nil : now))
                .where("id", .equal, SQLBind(job.id)).where("lease_token", .equal, SQLBind(job.leaseToken))
                .where("status", .equal, SQLBind(JobStatus.pending.rawValue)).run()
        }
    }

    /// Deletes finished jobs (and their attempts) that finished before `cutoff`.
    func prune(finishedBefore cutoff: Int64) async throws {
        try await database.sql.raw("""
            DELETE FROM job_attempts WHERE job_id IN
                (SELECT id FROM jobs WHERE status <> 'pending' AND finished_at < \(bind: cutoff))
            """).run()
        try await database.sql.raw("DELETE FROM jobs WHERE status <> 'pending' AND finished_at < \(bind: cutoff)").run()
    }
}

/// Where a job stands.
public enum JobStatus: String, Sendable {
    case pending
    case succeeded
    case dead
    case cancelled
}

extension JobResult {
    /// The attempt's outcome, code and error as stored.
    var attemptRecord: (outcome: String, code: Int?, error: String?) {
        switch self {
        case .succeeded(let code): ("succeeded", code, nil)
        case .failed(let why, let code), .dead(let why, let code): ("failed", code, why)
        case .cancelled(let why): ("cancelled", nil, why)
        }
    }
}

extension JobStore {
    /// Puts a finished job back in line with `extraAttempts` more attempts, due now; the attempt
    /// history is kept. Returns false when the job is still pending (or gone).
    static func replay(_ tx: any SQLDatabase, id: String, extraAttempts: Int, now: Int64) async throws -> Bool {
        let updated = try await tx.raw("""
            UPDATE jobs SET status = 'pending', attempt_budget = attempts + \(bind: extraAttempts), run_at = \(bind: now),
                lease_token = NULL, finished_at = NULL
            WHERE id = \(bind: id) AND status <> 'pending' RETURNING id
            """).first(decoding: JobIDRow.self)
        return updated != nil
    }

    /// Cancels the pending jobs among `ids` (a running attempt finishes, but changes nothing).
    static func cancel(_ tx: any SQLDatabase, idsIn subquery: SQLQueryString, reason: String, now: Int64) async throws {
        try await tx.raw("""
            UPDATE jobs SET status = 'cancelled', lease_token = NULL, finished_at = \(bind: now), last_error = \(bind: reason)
            WHERE status = 'pending' AND id IN (\(subquery))
            """).run()
    }
}

private struct NextDueRow: Decodable {
    var next: Int64?
}

private struct DueRow: Decodable {
    var id: String
    var kind: String
    var payload: String
    var attempts: Int64
    var attemptBudget: Int64
    var leaseToken: String?
}
