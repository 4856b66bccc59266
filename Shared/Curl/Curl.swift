import CCurl
import NIOCore

/// libcurl transfers for async code.
///
/// libcurl's easy interface blocks, so each transfer runs on a thread of its own, never on the
/// cooperative pool or an event loop, and hands bytes across through a bounded queue: a
/// streamed body is never more than `streamBuffer` bytes ahead of whoever consumes it.
/// Cancelling the awaiting task stops the transfer.
public enum Curl {
    /// Bytes a streamed request or response body may run ahead of its consumer.
    public static let streamBuffer = 256 * 1024

    /// `curl_global_init`, once per process, before the first transfer.
    static let initialized: Bool = atr_global_init() == CURLE_OK

    /// Makes `request` and reads the whole answer, refusing one longer than `answerLimit` bytes.
    ///
    /// - Throws: `CurlError` when the transfer fails (a status code is not a failure), the error
    ///   of a streamed body's producer, or `CancellationError`.
    public static func send(_ request: CurlRequest, answerLimit: Int = 1 << 20) async throws -> CurlResponse {
        var upload: ByteChannel?
        if case .stream = request.body { upload = ByteChannel(capacity: streamBuffer) }
        let transfer = Transfer(request: request, sink: .collect(limit: answerLimit), upload: upload)
        let (outcome, producerError) = await withTaskCancellationHandler {
            await withTaskGroup(of: (any Error)?.self) { group in
                if case .stream(_, let produce) = request.body, let upload {
                    group.addTask {
                        do {
                            try await produce(CurlBodyWriter(channel: upload))
                            upload.finish()
                            return nil
                        } catch {
                            upload.finish(error)
                            return error
                        }
                    }
                }
                let outcome = await transfer.run()
                var producerError: (any Error)?
                for await error in group { producerError = producerError ?? error }
                return (outcome, producerError)
            }
        } onCancel: {
            transfer.cancel()
        }
        // The producer's own failure explains an aborted upload better than curl's code does.
        if let producerError, (producerError as? CurlError) != .transferEnded { throw producerError }
        if transfer.isCancelled { throw CancellationError() }
        if transfer.overflowed { throw CurlError.answerTooLarge(answerLimit) }
        let status = try outcome.get()
        return CurlResponse(status: status, headers: transfer.responseHeaders, body: transfer.collected)
    }

    /// Makes `request` and returns once the answer's head has arrived; its body streams.
    ///
    /// The request's body must be in memory (`.none` or `.bytes`).
    public static func stream(_ request: CurlRequest) async throws -> CurlStreamingResponse {
        if case .stream = request.body { throw CurlError(code: -4, message: "Curl.stream takes a request body in memory") }
        let channel = ByteChannel(capacity: streamBuffer)
        let transfer = Transfer(request: request, sink: .channel(channel), upload: nil)
        let (status, headers) = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { transfer.start(head: $0) }
        } onCancel: {
            transfer.cancel()
        }
        return CurlStreamingResponse(status: status, headers: headers, body: CurlResponseBody(reader: .init(channel)))
    }
}
