import Synchronization

/// Wakes the hub's reader: coalescing (many wake-ups while it reads become one more read), and
/// opened afresh each time the hub starts, since a waiter cancelled mid-wait ends its stream.
final class LiveSignal: Sendable {
    private let current = Mutex<AsyncStream<Void>.Continuation?>(nil)

    /// Something may have been written.
    func wake() {
        current.withLock { _ = $0?.yield() }
    }

    /// A new stream of wake-ups for the reader (`Opened.waiter()`); the previous one ends.
    func open() -> Opened {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        current.withLock { held in
            held?.finish()
            held = continuation
        }
        return Opened(stream: stream, continuation: continuation)
    }

    /// The wake-ups of one start of the hub, to be waited on by one reader task.
    struct Opened: Sendable {
        let stream: AsyncStream<Void>
        let continuation: AsyncStream<Void>.Continuation

        func waiter() -> Waiter {
            Waiter(iterator: stream.makeAsyncIterator(), continuation: continuation)
        }
    }

    /// Ends the current waiter's stream.
    func close() {
        current.withLock { held in
            held?.finish()
            held = nil
        }
    }

    /// The reader's side: waits for a wake-up or a timeout. The timeout is a timer that wakes,
    /// not a cancelled wait (see `OutboxSignal.Waiter`).
    struct Waiter {
        var iterator: AsyncStream<Void>.Iterator
        let continuation: AsyncStream<Void>.Continuation

        /// Returns when woken or after `timeout`; false once the stream has ended.
        mutating func wait(timeout: Duration) async -> Bool {
            let continuation = self.continuation
            let timer = Task {
                try await Task.sleep(for: timeout)
                continuation.yield()
            }
            defer { timer.cancel() }
            return await iterator.next() != nil
        }
    }
}
