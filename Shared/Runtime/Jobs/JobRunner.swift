public import Logging
public import ServiceLifecycle
import Metrics
import Synchronization

/// The handlers a runner runs, one per job kind.
public struct JobHandlers: Sendable {
    struct Handler: Sendable {
        let policy: JobRetryPolicy
        let run: @Sendable (ClaimedJob) async throws -> JobResult
    }

    var handlers: [String: Handler] = [:]

    public init() {}

    /// Runs `handler` for every job of `kind`; a thrown error counts as a failed attempt.
    public mutating func register<P>(
        _ kind: JobKind<P>, policy: JobRetryPolicy = JobRetryPolicy(),
        _ handler: @escaping @Sendable (ClaimedJob, P) async throws -> JobResult
    ) {
        handlers[kind.name] = Handler(policy: policy) { job in try await handler(job, try job.payload(as: kind)) }
    }

    /// These handlers and `other`'s; `other` wins for a kind both have.
    public func merging(_ other: JobHandlers) -> JobHandlers {
        var merged = self
        merged.handlers.merge(other.handlers) { _, new in new }
        return merged
    }
}

/// Claims due jobs and runs them, up to `concurrency` at a time: woken at once by a committed
/// enqueue (`OutboxSignal` in this process, `LISTEN/NOTIFY` from other replicas on PostgreSQL),
/// at the next due time, and otherwise every `idlePoll`.
///
/// It never polls in a loop: a job in flight is due again only when its lease runs out, and with
/// every slot taken the runner waits for one to free.
public struct JobRunner: Service {
    let store: JobStore
    let handlers: JobHandlers
    let signal: OutboxSignal
    let clock: any JobClock
    let concurrency: Int
    let idlePoll: Int64
    let logger: Logger
    /// How often the runner did something (tests use it to prove it idles).
    let stats = JobRunnerStats()

    public init(
        database: Database, handlers: JobHandlers, signal: OutboxSignal, clock: any JobClock = SystemJobClock(),
        concurrency: Int = 16, idlePoll: Duration = .seconds(2), logger: Logger
    ) {
        self.store = JobStore(database: database)
        self.handlers = handlers
        self.signal = signal
        self.clock = clock
        self.concurrency = concurrency
        self.idlePoll = idlePoll.milliseconds
        self.logger = logger
    }

    public func run() async throws {
        let kinds = handlers.handlers.keys.sorted()
        guard !kinds.isEmpty else { return try await gracefulShutdown() }
        let state = RunnerState()
        let (database, signal, logger) = (store.database, self.signal, self.logger)
        let listener = Task { await JobNotifications.listen(database, signal: signal, logger: logger) }
        signal.handoff.register(.init(leases: handlers.handlers.mapValues { $0.policy.lease.milliseconds }, clock: clock))
        defer {
            signal.handoff.unregister()
            listener.cancel()
        }
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                var waiter = signal.makeWaiter()
                while !state.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    let free = concurrency - state.inFlight.load(ordering: .relaxed)
                    var wake = Wake.never
                    if free > 0 {
                        // Jobs this process enqueued already claimed first, then a look at the queue.
                        let handed = signal.handoff.take(limit: free, now: clock.now())
                        let (claimed, next) = handed.count < free ? await pass(kinds: kinds, free: free - handed.count) : ([], .never)
                        for job in handed + claimed {
                            state.inFlight.add(1, ordering: .relaxed)
                            group.addTask {
                                await execute(job)
                                state.inFlight.subtract(1, ordering: .relaxed)
                                signal.notify()
                            }
                        }
                        wake = next
                    }
                    switch wake {
                    case .now: continue
                    case .at(let deadline): await waiter.wait(until: min(deadline, clock.now() + idlePoll), clock: clock)
                    case .never: await waiter.wait(until: clock.now() + idlePoll, clock: clock)
                    }
                }
            } onGracefulShutdown: {
                // Stop claiming; jobs in flight finish (or their leases run out).
                state.stopping.store(true, ordering: .relaxed)
                signal.notify()
            }
        }
    }

    enum Wake {
        case now
        case at(Int64)
        case never
    }

    /// One look at the queue: a read for the next due time, and a claim (a write) only when something is due.
    private func pass(kinds: [String], free: Int) async -> ([ClaimedJob], Wake) {
        stats.passes.add(1, ordering: .relaxed)
        do {
            guard let next = try await store.nextDue(kinds: kinds) else { return ([], .never) }
            let now = clock.now()
            guard next <= now else { return ([], .at(next)) }
            stats.claims.add(1, ordering: .relaxed)
            let handlers = self.handlers.handlers
            let jobs = try await store.claim(kinds: kinds, limit: free, now: now) {
                handlers[$0]?.policy.lease.milliseconds ?? 60_000
            }
            // Nothing claimable although something was due: another replica is claiming it right now.
            return (jobs, jobs.isEmpty ? .at(now + 50) : .now)
        } catch {
            logger.error("job queue pass failed", metadata: ["error": "\(String(reflecting: error))"])
            return ([], .at(clock.now() + 1000))
        }
    }

    private func execute(_ job: ClaimedJob) async {
        guard let handler = handlers.handlers[job.kind] else { return }
        let started = ContinuousClock.now
        // While the attempt runs its lease is renewed, so a lease need only outlast a crashed
        // runner's absence, not the longest attempt: work a dead process held is taken up soon.
        let renewal = Task { await renew(job, lease: handler.policy.lease.milliseconds) }
        let result: JobResult
        do {
            result = try await handler.run(job)
        } catch {
            result = .failed("\(error)")
        }
        renewal.cancel()
        await renewal.value
        let now = clock.now()
        let (status, retryAt) = Self.next(after: result, of: job, policy: handler.policy, now: now)
        do {
            try await store.finish(job, status: status, retryAt: retryAt, result: result,
                                   durationMs: (ContinuousClock.now - started).milliseconds, now: now)
        } catch {
            // The lease runs out and the job is tried again; that attempt is then recorded as cut off.
            logger.error("could not record a job attempt", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
        Counter(label: "atrium_jobs_total", dimensions: [("kind", job.kind), ("result", status.rawValue)]).increment()
        if case .failed(let why, _) = result {
            logger.warning("job attempt failed", metadata: [
                "job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempt)", "dead": "\(status == .dead)", "error": "\(why)",
            ])
        }
    }

    /// Renews `job`'s lease every third of it until cancelled, until the lease is found lost, or
    /// until the attempt has held the job for `JobRetryPolicy.hungAfterLeases` leases: an attempt
    /// that long is taken for hung, its lease runs out and another runner may take the job.
    private func renew(_ job: ClaimedJob, lease: Int64) async {
        let every = max(lease / 3, 1)
        let lastRenewal = clock.now() + (JobRetryPolicy.hungAfterLeases - 1) * lease
        while clock.now() + every <= lastRenewal {
            do { try await clock.sleep(until: clock.now() + every) } catch { return }
            do {
                guard try await store.renew(job, until: clock.now() + lease) else {
                    logger.warning("a running job's lease was lost", metadata: ["job": "\(job.id)", "kind": "\(job.kind)"])
                    return
                }
                stats.renewals.add(1, ordering: .relaxed)
            } catch {
                // Tried again at the next beat; the lease still has two thirds to run.
                logger.error("could not renew a job's lease", metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        }
    }

    /// Where a job goes after an attempt.
    static func next(after result: JobResult, of job: ClaimedJob, policy: JobRetryPolicy, now: Int64) -> (JobStatus, Int64?) {
        switch result {
        case .succeeded: (.succeeded, nil)
        case .dead: (.dead, nil)
        case .cancelled: (.cancelled, nil)
        case .failed:
            job.attempt >= job.maxAttempts ? (.dead, nil) : (.pending, now + policy.backoffMillis(afterAttempt: Int(job.attempt)))
        }
    }
}

/// What the loop and its job tasks share.
private final class RunnerState: Sendable {
    let inFlight = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
}

/// Counters of a runner's work.
final class JobRunnerStats: Sendable {
    /// Looks at the queue (each one read).
    let passes = Atomic<Int>(0)
    /// Claims (each one write transaction).
    let claims = Atomic<Int>(0)
    /// Leases of running attempts renewed.
    let renewals = Atomic<Int>(0)
}
