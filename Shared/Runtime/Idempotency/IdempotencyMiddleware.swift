public import Hummingbird
import HTTPTypes
import Foundation
import Logging
import NIOCore

/// Honours `Idempotency-Key` on every POST and PATCH, the way the best public APIs do.
///
/// - The same key with the same request from the same caller gets the first response again
///   (`Idempotent-Replayed: true`), without running the handler a second time.
/// - While the first request is still running, a repeat is refused (409) rather than run twice.
/// - The same key with a different request (method, path or body) is refused (422).
/// - A request that fails (an error or a 5xx) keeps nothing, so it can be retried with its key.
///
/// Keys are scoped to the caller (`member:mem_…`, `service:pipeline-service`, or anonymous), stored
/// only as a hash, and the stored response is encrypted with a key derived from the idempotency key,
/// so a copy of the table reveals no response (sign-in answers hold tokens). Kept `retention`.
///
/// A `streamed` route's body is never buffered here: its fingerprint is method, path and query
/// alone, so a repeat of the key on that route replays the first answer whatever body it sends.
public struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: IdempotencyStore
    let maxBodyBytes: Int
    let streamed: [StreamedBodyRoute]

    public init(store: IdempotencyStore, maxBodyBytes: Int, streamed: [StreamedBodyRoute] = []) {
        self.store = store
        self.maxBodyBytes = maxBodyBytes
        self.streamed = streamed
    }

    static var methods: Set<HTTPRequest.Method> { [.post, .patch] }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.methods.contains(request.method), let key = request.headers[.idempotencyKey] else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw IdempotencyError.invalidKey
        }
        var request = request
        let body: ByteBuffer
        if streamed.route(for: request) != nil {
            body = ByteBuffer()
        } else {
            body = try await request.body.collect(upTo: maxBodyBytes)
            request.body = .init(buffer: body)
        }
        let caller = RequestScope.current?.caller.map { "\($0.kind.rawValue):\($0.subject)" } ?? "anonymous"
        let entry = IdempotencyEntry(key: key, scope: caller, request: request, body: body)
        switch try await store.begin(entry) {
        case .replay(let stored):
            return stored.response
        case .reused:
            throw IdempotencyError.reused
        case .inFlight:
            throw IdempotencyError.inFlight
        case .started:
            break
        }
        // A long request (a large upload) outlives the lease: it is renewed while the request runs,
        // so a repeat is refused as in progress rather than taking the key over and running twice.
        let heartbeat = Task { [store] in await store.keepAlive(entry) }
        defer { heartbeat.cancel() }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            await store.abandon(entry)
            throw error
        }
        return try await store.finish(entry, response: response)
    }
}

/// What a repeated key is refused for.
public enum IdempotencyError: ProblemConvertible, Equatable {
    case invalidKey
    case inFlight
    case reused

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .invalidKey: .badRequest
        case .inFlight: .conflict
        case .reused: .unprocessableContent
        }
    }

    public var problemSlug: String {
        switch self {
        case .invalidKey: "invalid-idempotency-key"
        case .inFlight: "idempotent-request-in-progress"
        case .reused: "idempotency-key-reused"
        }
    }

    public var problemDetail: String {
        switch self {
        case .invalidKey: "Idempotency-Key must be 1 to 255 visible ASCII characters."
        case .inFlight: "A request with this Idempotency-Key is still being processed; retry when it has finished."
        case .reused: "This Idempotency-Key was used for a different request (method, path or body); use a new key."
        }
    }
}
