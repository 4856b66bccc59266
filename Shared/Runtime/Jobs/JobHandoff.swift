import Synchronization

/// Jobs this process enqueued already claimed, passed straight to its own runner.
///
/// A job due at once (a webhook delivery, say) would otherwise wait for the runner to look at the
/// queue and claim it in a transaction of its own after the enqueueing one committed: two more
/// trips through the database before the work starts. Instead the enqueueing transaction writes
/// the job leased to this process with its first attempt open, exactly as a claim would, and
/// the runner is handed the claim after the commit. Nothing is lost if the process dies first:
/// the lease runs out and any runner claims the job, recording that attempt as cut off.
final class JobHandoff: Sendable {
    struct Registration: Sendable {
        /// Lease of each job kind the runner handles, in milliseconds.
        let leases: [String: Int64]
        let clock: any JobClock
    }

    private struct State {
        var registration: Registration?
        var waiting: [(job: ClaimedJob, leaseEnds: Int64, lease: Int64)] = []
    }

    private let state = Mutex(State())

    /// The runner of this process starts taking jobs of these kinds.
    func register(_ registration: Registration) {
        state.withLock { $0.registration = registration }
    }

    /// The runner stopped; jobs not yet taken run again after their leases.
    func unregister() {
        state.withLock { $0 = State() }
    }

    /// The lease and clock to claim a job of `kind` with, when this process runs such jobs.
    func claimTerms(for kind: String) -> (lease: Int64, clock: any JobClock)? {
        state.withLock { state in
            guard let registration = state.registration, let lease = registration.leases[kind] else { return nil }
            return (lease, registration.clock)
        }
    }

    /// Claims committed in a transaction, for the runner.
    func give(_ jobs: [(job: ClaimedJob, leaseEnds: Int64, lease: Int64)]) {
        guard !jobs.isEmpty else { return }
        state.withLock { $0.waiting.append(contentsOf: jobs) }
    }

    /// Up to `limit` handed-over jobs. One that waited here for more than half its lease (every
    /// slot of the runner was busy) is left to run out and be claimed again, so that no two
    /// runners can hold it at once.
    func take(limit: Int, now: Int64) -> [ClaimedJob] {
        state.withLock { state in
            state.waiting.removeAll { $0.leaseEnds - now < $0.lease / 2 }
            let taken = state.waiting.prefix(limit)
            state.waiting.removeFirst(taken.count)
            return taken.map(\.job)
        }
    }
}

/// Claims made inside one transaction, handed to the runner once it commits.
final class PendingHandoff: Sendable {
    private let jobs = Mutex<[(job: ClaimedJob, leaseEnds: Int64, lease: Int64)]>([])

    func append(_ job: ClaimedJob, leaseEnds: Int64, lease: Int64) {
        jobs.withLock { $0.append((job, leaseEnds, lease)) }
    }

    var all: [(job: ClaimedJob, leaseEnds: Int64, lease: Int64)] { jobs.withLock { $0 } }
}
