import Foundation
import NIOCore

/// A bounded queue of byte chunks between libcurl's thread, which may block, and async code,
/// which must not: either side may be the producer. The producer waits while `capacity` bytes
/// are queued, the consumer while none are, so memory stays flat whichever side is slower.
final class ByteChannel: @unchecked Sendable {
    /// What a consumer gets: bytes, the producer's end, or its failure.
    enum Pull {
        case bytes(Int)
        case end
        case failed(any Error)
    }

    private let condition = NSCondition()
    private let capacity: Int
    // All below only under `condition`.
    private var chunks = CircularBuffer<ByteBuffer>()
    private var queued = 0
    private var producerEnd: Result<Void, any Error>?
    private var consumerGone = false
    private var waitingReader: CheckedContinuation<Void, Never>?
    private var waitingWriter: CheckedContinuation<Void, Never>?

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    // MARK: Producer

    /// Queues `chunk`, blocking the calling thread while the queue is full; false once the consumer is gone.
    func pushBlocking(_ chunk: ByteBuffer) -> Bool {
        condition.lock()
        while queued >= capacity && !consumerGone { condition.wait() }
        guard !consumerGone else {
            condition.unlock()
            return false
        }
        let reader = enqueue(chunk)
        condition.unlock()
        reader?.resume()
        return true
    }

    /// Queues `chunk`, suspending while the queue is full; false once the consumer is gone.
    func push(_ chunk: ByteBuffer) async -> Bool {
        while true {
            if let accepted = tryPush(chunk) { return accepted }
            await withCheckedContinuation { waitForSpace($0) }
        }
    }

    /// Queues `chunk` unless the queue is full (nil); false once the consumer is gone.
    private func tryPush(_ chunk: ByteBuffer) -> Bool? {
        condition.lock()
        if consumerGone {
            condition.unlock()
            return false
        }
        guard queued < capacity else {
            condition.unlock()
            return nil
        }
        let reader = enqueue(chunk)
        condition.unlock()
        reader?.resume()
        return true
    }

    /// Resumes `writer` once there is room (or nobody reads any more).
    private func waitForSpace(_ writer: CheckedContinuation<Void, Never>) {
        condition.lock()
        if queued < capacity || consumerGone {
            condition.unlock()
            writer.resume()
        } else {
            waitingWriter = writer
            condition.unlock()
        }
    }

    /// The producer is done: the consumer reads what is queued, then `end` (or the failure).
    func finish(_ error: (any Error)? = nil) {
        condition.lock()
        if producerEnd == nil { producerEnd = error.map { .failure($0) } ?? .success(()) }
        let (reader, writer) = takeWaiters()
        condition.unlock()
        reader?.resume()
        writer?.resume()
    }

    // MARK: Consumer

    /// Copies up to `target.count` queued bytes, blocking the calling thread while none are queued.
    func pullBlocking(into target: UnsafeMutableRawBufferPointer) -> Pull {
        condition.lock()
        while chunks.isEmpty && producerEnd == nil && !consumerGone { condition.wait() }
        if chunks.isEmpty {
            let end = producerEnd
            condition.unlock()
            if case .failure(let error) = end { return .failed(error) }
            return .end
        }
        var count = 0
        while count < target.count, var head = chunks.first {
            let take = min(head.readableBytes, target.count - count)
            head.withUnsafeReadableBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: target[count..<(count + take)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<take]))
            }
            head.moveReaderIndex(forwardBy: take)
            count += take
            if head.readableBytes == 0 { chunks.removeFirst() } else { chunks[chunks.startIndex] = head }
        }
        queued -= count
        let writer = waitingWriter
        waitingWriter = nil
        condition.broadcast()
        condition.unlock()
        writer?.resume()
        return .bytes(count)
    }

    /// The next chunk, suspending while none is queued; nil at the producer's end.
    func next() async throws -> ByteBuffer? {
        while true {
            switch tryNext() {
            case .some(.success(let chunk)): return chunk
            case .some(.failure(let error)): throw error
            case .none: await withCheckedContinuation { waitForBytes($0) }
            }
        }
    }

    /// The next chunk, nil (as success) at the end, or nil when there is nothing yet.
    private func tryNext() -> Result<ByteBuffer?, any Error>? {
        condition.lock()
        if let chunk = chunks.popFirst() {
            queued -= chunk.readableBytes
            let writer = waitingWriter
            waitingWriter = nil
            condition.broadcast()
            condition.unlock()
            writer?.resume()
            return .success(chunk)
        }
        guard consumerGone || producerEnd != nil else {
            condition.unlock()
            return nil
        }
        // A consumer that gave up (its task was cancelled) must not take the cut as the end.
        let end = consumerGone ? .failure(CancellationError()) : producerEnd
        condition.unlock()
        if case .failure(let error) = end { return .failure(error) }
        return .success(nil)
    }

    /// Resumes `reader` once a chunk is queued or the producer ended.
    private func waitForBytes(_ reader: CheckedContinuation<Void, Never>) {
        condition.lock()
        if !chunks.isEmpty || consumerGone || producerEnd != nil {
            condition.unlock()
            reader.resume()
        } else {
            waitingReader = reader
            condition.unlock()
        }
    }

    /// The consumer stops reading: queued bytes are dropped and the producer's pushes refused.
    func cancel() {
        condition.lock()
        consumerGone = true
        chunks.removeAll()
        queued = 0
        let (reader, writer) = takeWaiters()
        condition.unlock()
        reader?.resume()
        writer?.resume()
    }

    // MARK: Under the lock

    private func enqueue(_ chunk: ByteBuffer) -> CheckedContinuation<Void, Never>? {
        if chunk.readableBytes > 0 {
            chunks.append(chunk)
            queued += chunk.readableBytes
        }
        condition.broadcast()
        let reader = waitingReader
        waitingReader = nil
        return reader
    }

    private func takeWaiters() -> (CheckedContinuation<Void, Never>?, CheckedContinuation<Void, Never>?) {
        condition.broadcast()
        defer {
            waitingReader = nil
            waitingWriter = nil
        }
        return (waitingReader, waitingWriter)
    }
}
