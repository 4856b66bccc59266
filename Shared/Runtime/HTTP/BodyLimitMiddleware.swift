public import Hummingbird

/// Refuses request bodies over `maxBytes` with a 413 problem before any handler buffers them.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init) {
            guard declared <= maxBytes else { throw RuntimeError.payloadTooLarge(maxBytes) }
            return try await next(request, context)
        }
        guard request.method == .post || request.method == .put || request.method == .patch else {
            return try await next(request, context)
        }
        // Chunked upload: collect up to the limit so an endless stream cannot exhaust memory.
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw RuntimeError.payloadTooLarge(maxBytes)
        }
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }
}
