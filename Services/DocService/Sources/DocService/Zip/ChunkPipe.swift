import Dispatch
import Foundation
import Synchronization

/// Hands chunks from a thread that blocks (the inflater is synchronous) to a task that awaits
/// them, holding at most `capacity` chunks: the thread waits while the task is behind, so an
/// entry is never held in memory whole.
final class ChunkPipe: Sendable {
    private struct State {
        var chunks: [Data] = []
        /// How the producer ended; set once.
        var end: Result<Void, any Error>?
        var reader: CheckedContinuation<Data?, any Error>?
        var endWaiter: CheckedContinuation<Result<Void, any Error>, Never>?
        /// The reader gave up: the producer's next send fails.
        var closed = false
        /// The reader saw the end: the bytes were all read and passed the checks.
        var drained = false
    }

    private let state = Mutex(State())
    /// One permit per chunk that may wait in the pipe.
    private let slots: DispatchSemaphore

    init(capacity: Int) {
        slots = DispatchSemaphore(value: capacity)
    }

    // MARK: Producer (a thread that may block)

    /// Passes `chunk` on, blocking while the pipe is full; throws once the reader has gone.
    func send(_ chunk: Data) throws {
        slots.wait()
        let reader: CheckedContinuation<Data?, any Error>?? = state.withLock { state in
            if state.closed { return .some(nil) }
            if let reader = state.reader {
                state.reader = nil
                return reader
            }
            state.chunks.append(chunk)
            return nil
        }
        switch reader {
        case .some(.some(let reader)):
            slots.signal()
            reader.resume(returning: chunk)
        case .some(.none):
            slots.signal()
            throw CancellationError()
        case .none:
            break
        }
    }

    /// Ends the stream: the reader gets the rest of the chunks, then nil or `result`'s error.
    func finish(_ result: Result<Void, any Error>) {
        let (reader, waiter) = state.withLock { state in
            state.end = result
            defer { state.reader = nil; state.endWaiter = nil }
            return (state.chunks.isEmpty ? state.reader : nil, state.endWaiter)
        }
        if let reader { deliverEnd(result, to: reader) }
        waiter?.resume(returning: result)
    }

    // MARK: Reader (a task)

    /// The next chunk; nil after the last one once the producer succeeded; its error if it failed.
    func next() async throws -> Data? {
        try await withCheckedThrowingContinuation { (reader: CheckedContinuation<Data?, any Error>) in
            let ready: Result<Data?, any Error>? = state.withLock { state in
                if !state.chunks.isEmpty { return .success(state.chunks.removeFirst()) }
                if let end = state.end {
                    if case .success = end { state.drained = true }
                    return end.map { _ -> Data? in nil }
                }
                state.reader = reader
                return nil
            }
            guard let ready else { return }
            if case .success(.some) = ready { slots.signal() }
            reader.resume(with: ready)
        }
    }

    /// The reader stops early: queued chunks are dropped and a blocked producer is woken to give up.
    func close() {
        let dropped = state.withLock { state in
            state.closed = true
            defer { state.chunks.removeAll() }
            return state.chunks.count
        }
        for _ in 0..<dropped { slots.signal() }
    }

    /// Waits for the producer to finish and says how it ended.
    func outcome() async -> Result<Void, any Error> {
        await withCheckedContinuation { waiter in
            let end = state.withLock { state in
                if state.end == nil { state.endWaiter = waiter }
                return state.end
            }
            if let end { waiter.resume(returning: end) }
        }
    }

    /// Whether the reader read through to the verified end.
    var drained: Bool { state.withLock { $0.drained } }

    private func deliverEnd(_ result: Result<Void, any Error>, to reader: CheckedContinuation<Data?, any Error>) {
        if case .success = result { state.withLock { $0.drained = true } }
        reader.resume(with: result.map { _ -> Data? in nil })
    }
}
