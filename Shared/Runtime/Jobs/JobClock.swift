import Foundation
import Synchronization

/// The time the job queue runs by, in epoch milliseconds: the system clock in services, a manual
/// clock in tests, which advance it instead of sleeping.
public protocol JobClock: Sendable {
    /// Now, in milliseconds since 1970.
    func now() -> Int64
    /// Returns once `now() >= deadline`; throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Int64) async throws
}

/// Wall-clock time.
public struct SystemJobClock: JobClock {
    public init() {}

    public func now() -> Int64 { EpochMillis.now() }

    public func sleep(until deadline: Int64) async throws {
        let wait = deadline - now()
        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
    }
}

/// A clock that moves only when told to: tests `advance(by:)` it and every sleeper whose deadline
/// has come wakes up.
public final class ManualJobClock: JobClock {
    private struct State {
        var now: Int64
        var nextID = 0
        var sleepers: [Int: (deadline: Int64, continuation: CheckedContinuation<Void, any Error>)] = [:]
    }

    private let state: Mutex<State>

    public init(now: Int64 = 1_800_000_000_000) {
        state = Mutex(State(now: now))
    }

    public func now() -> Int64 { state.withLock { $0.now } }

    /// Moves the clock on and wakes whoever it is time for.
    public func advance(by millis: Int64) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now += millis
            let now = state.now
            let ids = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { state.sleepers.removeValue(forKey: $0)?.continuation }
        }
        due.forEach { $0.resume() }
    }

    /// How many tasks are waiting on the clock right now.
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Int64) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> (any Error)?? in
                    if Task.isCancelled { return .some(CancellationError()) }
                    if state.now >= deadline { return .some(nil) }
                    state.sleepers[id] = (deadline, continuation)
                    return .none
                }
                switch resumeNow {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let continuation = state.withLock { $0.sleepers.removeValue(forKey: id)?.continuation }
            continuation?.resume(throwing: CancellationError())
        }
    }
}
