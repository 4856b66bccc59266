/// Wakes the job runner the moment a transaction that wrote outbox rows or jobs commits (and,
/// on PostgreSQL, when another replica's did).
///
/// Signals coalesce: many notifications while the runner is busy become one wake-up.
public final class OutboxSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// Jobs enqueued already claimed for this process's runner (see `JobHandoff`).
    let handoff = JobHandoff()

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Something new is there to do.
    public func notify() {
        continuation.yield()
    }

    /// The one consumer's side; kept by the runner loop for its whole life.
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
            await wait(until: EpochMillis.now() + timeout.milliseconds, clock: SystemJobClock())
        }

        /// Returns when notified or once `clock` reaches `deadline`, whichever is first.
        mutating func wait(until deadline: Int64, clock: any JobClock) async {
            let continuation = self.continuation
            let timer = Task {
                do {
                    try await clock.sleep(until: deadline)
                    continuation.yield()
                } catch {}
            }
            _ = await iterator.next()
            timer.cancel()
        }
    }
}
