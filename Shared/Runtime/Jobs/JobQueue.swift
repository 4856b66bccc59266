import Foundation
public import SQLKit

/// A kind of background job and the type of its JSON payload, e.g.
/// `JobKind<ReminderDue>("chat.reminder", maxAttempts: 5)`.
public struct JobKind<Payload: Codable & Sendable>: Sendable {
    public let name: String
    /// Attempts before a job of this kind is parked as dead, unless the enqueuer says otherwise.
    public let maxAttempts: Int

    public init(_ name: String, maxAttempts: Int = 12) {
        self.name = name
        self.maxAttempts = maxAttempts
    }
}

/// The durable job queue of a service's database: jobs are rows, written in the caller's
/// transaction so a job exists exactly when the state change that asked for it committed.
///
/// ```swift
/// try await outbox.transaction { tx in
///     try await tx.sql.update("threads")…
///     try await tx.enqueue(reminderKind, ReminderDue(thread: id), runAt: due, uniqueKey: "reminder:\(id):1")
/// }
/// ```
/// A `JobRunner` in every replica claims due jobs and runs the handler registered for their kind.
public enum JobQueue {
    /// Adds a job in `tx`; returns its id, or nil when a job with `uniqueKey` already exists
    /// (so enqueueing again, say from a redelivered event, creates nothing).
    ///
    /// On PostgreSQL the commit also notifies every replica's runner (`LISTEN/NOTIFY`); in this
    /// process, `Outbox.transaction` wakes the runner after the commit.
    @discardableResult
    public static func enqueue<Payload>(
        _ kind: JobKind<Payload>, _ payload: Payload, runAt: Int64? = nil, uniqueKey: String? = nil,
        maxAttempts: Int? = nil, id: String? = nil, in tx: any SQLDatabase
    ) async throws -> String? {
        try await enqueue(kind, payload, runAt: runAt, uniqueKey: uniqueKey, maxAttempts: maxAttempts, id: id, in: tx, handoff: nil)
    }

    /// `enqueue`, and when the job is due at once and this process's runner handles its kind
    /// (`handoff`), written already claimed for that runner (see `JobHandoff`).
    @discardableResult
    static func enqueue<Payload>(
        _ kind: JobKind<Payload>, _ payload: Payload, runAt: Int64?, uniqueKey: String?,
        maxAttempts: Int?, id: String?, in tx: any SQLDatabase, handoff: (JobHandoff, PendingHandoff)?
    ) async throws -> String? {
        let body = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        let now = EpochMillis.now()
        if let (handoff, pending) = handoff, let terms = handoff.claimTerms(for: kind.name), runAt.map({ $0 <= now }) ?? true {
            return try await enqueueClaimed(kind, body: body, uniqueKey: uniqueKey, maxAttempts: maxAttempts ?? kind.maxAttempts,
                                            id: id ?? Identifier.make("job"), terms: terms, pending: pending, in: tx)
        }
        let inserted = try await tx.raw("""
            INSERT INTO jobs (id, kind, payload, unique_key, status, run_at, attempts, attempt_budget, created_at)
            VALUES (\(bind: id ?? Identifier.make("job")), \(bind: kind.name), \(bind: body), \(bind: uniqueKey), 'pending',
                    \(bind: runAt ?? now), 0, \(bind: maxAttempts ?? kind.maxAttempts), \(bind: now))
            ON CONFLICT (unique_key) DO NOTHING RETURNING id
            """).first(decoding: JobIDRow.self)
        if inserted != nil, tx.dialect.name == "postgresql" {
            // Delivered at commit, to the runners of this schema in every replica.
            try await tx.raw("SELECT pg_notify(\(bind: JobNotifications.channelPrefix) || current_schema(), '')").run()
        }
        return inserted?.id
    }

    private static func enqueueClaimed<Payload>(
        _ kind: JobKind<Payload>, body: String, uniqueKey: String?, maxAttempts: Int, id: String,
        terms: (lease: Int64, clock: any JobClock), pending: PendingHandoff, in tx: any SQLDatabase
    ) async throws -> String? {
        let now = terms.clock.now()
        let token = Identifier.make("lease")
        let inserted = try await tx.raw("""
            INSERT INTO jobs (id, kind, payload, unique_key, status, run_at, attempts, attempt_budget, lease_token, created_at)
            VALUES (\(bind: id), \(bind: kind.name), \(bind: body), \(bind: uniqueKey), 'pending',
                    \(bind: now + terms.lease), 1, \(bind: maxAttempts), \(bind: token), \(bind: EpochMillis.now()))
            ON CONFLICT (unique_key) DO NOTHING RETURNING id
            """).first(decoding: JobIDRow.self)
        guard inserted != nil else { return nil }
        try await tx.insert(into: "job_attempts").columns("job_id", "number", "started_at", "outcome")
            .values(SQLBind(id), SQLBind(Int64(1)), SQLBind(now), SQLBind("running")).run()
        let job = ClaimedJob(id: id, kind: kind.name, payload: body, attempt: 1, maxAttempts: Int64(maxAttempts), leaseToken: token)
        pending.append(job, leaseEnds: now + terms.lease, lease: terms.lease)
        return id
    }
}

extension OutboxTransaction {
    /// Adds a job in this transaction (see `JobQueue.enqueue`); the runner is woken at commit.
    @discardableResult
    public func enqueue<Payload>(
        _ kind: JobKind<Payload>, _ payload: Payload, runAt: Int64? = nil, uniqueKey: String? = nil, maxAttempts: Int? = nil
    ) async throws -> String? {
        try await JobQueue.enqueue(kind, payload, runAt: runAt, uniqueKey: uniqueKey, maxAttempts: maxAttempts, id: nil, in: sql,
                                   handoff: handoff)
    }
}

/// One claimed job, as its handler sees it.
public struct ClaimedJob: Sendable {
    public let id: String
    public let kind: String
    /// The JSON the job was enqueued with.
    public let payload: String
    /// This attempt's number, from 1.
    public let attempt: Int64
    public let maxAttempts: Int64
    /// The claim this attempt runs under; finishing it is refused once another claim took over.
    let leaseToken: String

    /// The payload decoded as `kind` says.
    public func payload<P>(as kind: JobKind<P>) throws -> P {
        try JSONDecoder().decode(P.self, from: Data(payload.utf8))
    }
}

/// What a handler reports about one attempt.
public enum JobResult: Sendable, Equatable {
    /// Done; `code` is a handler-defined result code kept with the attempt (HTTP status for webhooks).
    case succeeded(code: Int? = nil)
    /// Try again after a back-off, unless the attempt budget is spent; then dead.
    case failed(String, code: Int? = nil)
    /// No point in trying again: dead at once.
    case dead(String, code: Int? = nil)
    /// The job is moot (what it was for is gone).
    case cancelled(String)
}

/// How the jobs of one kind are retried and how long an attempt may hold its lease.
public struct JobRetryPolicy: Sendable {
    /// Delay before the first retry; each later retry doubles it (with jitter), up to `maxDelay`.
    public var base: Duration
    public var maxDelay: Duration
    /// How long a claimed job stays with its runner unless renewed; after that another may take it
    /// up (the attempt counts as cut off). The runner renews it while the attempt runs, so this is
    /// how soon the work of a runner that died is taken up again; an attempt still running after
    /// `hungAfterLeases` leases is taken for hung and no longer renewed.
    public var lease: Duration
    /// Leases a running attempt may hold the job for, renewed, before it counts as hung.
    public static let hungAfterLeases: Int64 = 10

    public init(base: Duration = .seconds(5), maxDelay: Duration = .seconds(3600), lease: Duration = .seconds(60)) {
        self.base = base
        self.maxDelay = maxDelay
        self.lease = lease
    }

    /// Exponential back-off with "equal jitter": half the delay fixed, half random, capped at `maxDelay`.
    public func backoffMillis(afterAttempt attempt: Int) -> Int64 {
        let delay = min(Double(maxDelay.milliseconds), Double(base.milliseconds) * pow(2, Double(max(0, attempt - 1))))
        return Int64(delay / 2 + Double.random(in: 0...(delay / 2)))
    }
}

struct JobIDRow: Decodable {
    var id: String
}

/// Names of the PostgreSQL notification channel the runners of one schema listen on.
enum JobNotifications {
    static let channelPrefix = "atrium_jobs_"
}
