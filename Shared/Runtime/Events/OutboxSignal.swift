import Synchronization

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

    /// Returns when notified or after `timeout`, whichever is first.
    func wait(timeout: Duration) async {
        let stream = self.stream
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                _ = await iterator.next()
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    func finish() {
        continuation.finish()
    }
}
