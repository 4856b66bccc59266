/// Wakes the dispatcher the moment a transaction that wrote outbox rows commits.
///
/// Signals coalesce: many notifications while the dispatcher is busy become one wake-up.
public final class OutboxSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Something new is there to deliver.
    public func notify() {
        continuation.yield()
    }

    /// The one consumer's side; kept by the dispatcher loop for its whole life.
    func makeWaiter() -> Waiter {
        Waiter(iterator: stream.makeAsyncIterator(), continuation: continuation)
    }

    /// Waits for a notification or a timeout.
    ///
    /// The timeout is a timer that notifies, not a cancelled `next()`: cancelling a pending
    /// `next()` would finish the stream, and every later wait would return at once.
    struct Waiter {
        var iterator: AsyncStream<Void>.Iterator
        let continuation: AsyncStream<Void>.Continuation

        /// Returns when notified or after `timeout`, whichever is first.
        mutating func wait(timeout: Duration) async {
            let continuation = self.continuation
            let timer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { continuation.yield() }
            }
            _ = await iterator.next()
            timer.cancel()
        }
    }
}
