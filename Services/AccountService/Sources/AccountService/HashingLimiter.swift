import NIOPosix
import Synchronization

/// Runs password hashes on the blocking thread pool, at most `slots` at once; up to `queue` more
/// wait their turn, and beyond that the caller gets a 503 at once. A flood of sign-ins then costs
/// `slots` cores, and every other route keeps the rest.
final class HashingLimiter: Sendable {
    let slots: Int
    let queue: Int
    private let state: Mutex<State>

    struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    init(slots: Int, queue: Int = 32) {
        self.slots = max(1, slots)
        self.queue = max(0, queue)
        state = Mutex(State())
    }

    /// Runs `work` when a slot is free; `AccountError.busy` when too many are already waiting.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// Hashes running now, and hashes waiting.
    var load: (running: Int, waiting: Int) {
        state.withLock { ($0.running, $0.waiting.count) }
    }

    private func acquire() async throws {
        enum Admission { case now, wait, refuse }
        let admission: Admission = state.withLock { state in
            if state.running < slots {
                state.running += 1
                return .now
            }
            return state.waiting.count < queue ? .wait : .refuse
        }
        switch admission {
        case .now: return
        case .refuse: throw AccountError.busy
        case .wait:
            await withCheckedContinuation { continuation in
                let admitted = state.withLock { state in
                    // A slot may have freed up between the two locks.
                    if state.running < slots {
                        state.running += 1
                        return true
                    }
                    state.waiting.append(continuation)
                    return false
                }
                if admitted { continuation.resume() }
            }
        }
    }

    /// Hands the slot to the first waiter, or frees it.
    private func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
