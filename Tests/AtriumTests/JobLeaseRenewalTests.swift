@testable import AtriumRuntime
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing

/// A running attempt's lease is renewed, so a short lease does not cut off a long attempt; an
/// attempt that runs for ten leases is taken for hung and its job goes to another runner.
@Suite("Job queue: leases renewed while an attempt runs", .serialized)
struct JobLeaseRenewalTests {
    /// Opens once; every waiter, earlier or later, goes on.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        }

        func open() {
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume() }
        }
    }

    @Test("a long attempt keeps its job past its lease; one still running after ten leases loses it to another claim",
          arguments: TestEngine.all)
    func renewal(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = try await JobQueueTests.database(storage)
            let clock = ManualJobClock()
            let gate = Gate()
            let started = Atomic<Int>(0)
            var handlers = JobHandlers()
            // Lease 30 s: renewed every 10 s, for at most 300 s.
            handlers.register(JobQueueTests.kind, policy: JobQueueTests.policy) { _, _ in
                started.add(1, ordering: .relaxed)
                await gate.wait()
                return .succeeded()
            }
            let id = try #require(try await JobQueueTests.enqueue(database, "long", runAt: clock.now()))
            let signal = OutboxSignal()
            let runner = JobRunner(database: database, handlers: handlers, signal: signal, clock: clock, logger: Logger(label: "runner"))
            let replica = JobStore(database: database)
            let claimable = { try await !replica.claim(kinds: [JobQueueTests.kind.name], limit: 1, now: clock.now()) { _ in 30_000 }.isEmpty }
            try await JobQueueTests.running(runner) {
                // However the test ends, the attempt ends, so the runner can stop.
                defer { gate.open() }
                signal.notify()
                try await eventually("the attempt to start") { started.load(ordering: .relaxed) == 1 }
                for beat in 1...27 {
                    // The beat waits on the clock (as does the idle runner) before the clock moves.
                    try await eventually("the beat to wait") { clock.sleepers >= 2 }
                    clock.advance(by: 10_000)
                    try await eventually("renewal \(beat)") { runner.stats.renewals.load(ordering: .relaxed) == beat }
                    #expect(try await claimable() == false, "renewed at \(beat * 10) s, the job is still the runner's")
                }
                // The last renewal, at 270 s, runs to 300 s; none follows.
                clock.advance(by: 20_000)
                #expect(try await claimable() == false)
                #expect(runner.stats.renewals.load(ordering: .relaxed) == 27)
                clock.advance(by: 10_000)
                // Taken for hung: the next claim (this runner's own or the replica's) cuts the attempt off.
                try await eventually("the hung attempt to be taken over") {
                    if started.load(ordering: .relaxed) == 2 { return true }
                    return try await claimable()
                }
                #expect(try await JobQueueTests.attempts(database, id) == ["lost", "running"])
            }
            try await database.close()
        }
    }
}
