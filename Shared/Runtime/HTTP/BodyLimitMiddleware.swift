public import Hummingbird

/// Refuses request bodies over `maxBytes` with a 413 problem before any handler buffers them.
/// A `streamed` route has its own limit, checked here against `Content-Length` only: its handler
/// reads the body as a stream and counts the bytes itself.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int
    let streamed: [StreamedBodyRoute]

    public init(maxBytes: Int, streamed: [StreamedBodyRoute] = []) {
        self.maxBytes = maxBytes
        self.streamed = streamed
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let route = streamed.route(for: request) {
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > route.maxBytes {
                throw RuntimeError.payloadTooLarge(route.maxBytes)
            }
            return try await next(request, context)
        }
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
