@testable import AtriumRuntime
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing

/// Jobs a transaction of this process enqueues due at once are written already claimed and handed
/// to this process's runner after the commit: no claim transaction before they start, and nothing
/// lost when the process dies between the commit and the run.
@Suite("Job hand-over to the local runner", .serialized)
struct JobHandoffTests {
    typealias Queue = JobQueueTests

    @Test("a job enqueued through the outbox runs without a claim transaction, its attempt recorded", arguments: TestEngine.all)
    func runsWithoutClaim(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await Queue.database(storage)
            var handlers = JobHandlers()
            handlers.register(Queue.kind, policy: Queue.policy) { _, _ in .succeeded(code: 7) }
            let signal = OutboxSignal()
            let runner = JobRunner(database: database, handlers: handlers, signal: signal, logger: Logger(label: "runner"))
            try await Queue.running(runner) {
                try await eventually("the runner to start") { signal.handoff.claimTerms(for: Queue.kind.name) != nil }
                let claimsBefore = runner.stats.claims.load(ordering: .relaxed)
                let id = try await Outbox(database: database, signal: signal).transaction { tx in
                    try await tx.enqueue(Queue.kind, Queue.Note(text: "now"))
                }
                let job = try #require(id)
                try await eventually("the job to succeed") { try await Queue.status(database, job) == "succeeded" }
                #expect(try await Queue.attempts(database, job) == ["succeeded"])
                #expect(runner.stats.claims.load(ordering: .relaxed) == claimsBefore, "the job was claimed again instead of handed over")
            }
            try await database.close()
        }
    }

    @Test("a handed-over job whose process died before running it runs after its lease; the cut-off attempt is recorded", arguments: TestEngine.all)
    func survivesDeathAfterCommit(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await Queue.database(storage)
            let clock = ManualJobClock()
            // The dying process: its runner had registered, the transaction committed, nothing ran.
            let dying = OutboxSignal()
            dying.handoff.register(.init(leases: [Queue.kind.name: 30_000], clock: clock))
            let id = try await Outbox(database: database, signal: dying).transaction { tx in
                try await tx.enqueue(Queue.kind, Queue.Note(text: "orphan"))
            }
            let job = try #require(id)
            #expect(try await Queue.attempts(database, job) == ["running"])
            var handlers = JobHandlers()
            handlers.register(Queue.kind, policy: Queue.policy) { _, _ in .succeeded() }
            let signal = OutboxSignal()
            let runner = JobRunner(database: database, handlers: handlers, signal: signal, clock: clock, logger: Logger(label: "survivor"))
            try await Queue.running(runner) {
                signal.notify()
                try await eventually("the runner to wait for the lease") { clock.sleepers >= 1 }
                clock.advance(by: 29_000)
                #expect(try await Queue.status(database, job) == "pending", "run before the lease ran out")
                clock.advance(by: 1_000)
                try await eventually("the job to run again") { try await Queue.status(database, job) == "succeeded" }
                #expect(try await Queue.attempts(database, job) == ["lost", "succeeded"])
            }
            try await database.close()
        }
    }

    @Test("a handed-over job that waited over half its lease is left to be claimed again, never run twice")
    func staleHandoverIsDropped() {
        let handoff = JobHandoff()
        let job = { (id: String) in
            ClaimedJob(id: id, kind: "k", payload: "{}", attempt: 1, maxAttempts: 3, leaseToken: "lease_" + id)
        }
        handoff.give([(job("fresh"), 100_000 + 30_000, 30_000), (job("stale"), 100_000 + 14_000, 30_000)])
        #expect(handoff.take(limit: 10, now: 100_000).map(\.id) == ["fresh"])
        #expect(handoff.take(limit: 10, now: 100_000).isEmpty)
    }

    @Test("without a runner for the kind in this process, a job is enqueued unclaimed", arguments: TestEngine.all)
    func noRunnerNoClaim(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await Queue.database(storage)
            let id = try await Outbox(database: database, signal: OutboxSignal()).transaction { tx in
                try await tx.enqueue(Queue.kind, Queue.Note(text: "later"))
            }
            let job = try #require(id)
            #expect(try await Queue.attempts(database, job).isEmpty)
            #expect(try await Queue.status(database, job) == "pending")
            try await database.close()
        }
    }
}
