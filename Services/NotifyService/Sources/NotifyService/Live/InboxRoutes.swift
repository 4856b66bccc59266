import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /v1/inbox/events`: the caller's Inbox+ as server-sent events. A streaming route,
/// registered before the generated ones, which skip it (`SkippingTransport`).
struct InboxRoutes: Sendable {
    static let path = "/v1/inbox/events"
    static let skipped: [(HTTPRequest.Method, String)] = [(.get, path)]

    let handler: NotifyAPIHandler
    let hub: InboxHub
    let heartbeat: Duration
    /// The runtime's refusal of tokens a change of role, rights or status made stale.
    let refusal: @Sendable (Caller) -> String?

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ in try await stream(request) }
    }

    func stream(_ request: Request) async throws -> Response {
        let caller = try RequestScope.requireCaller()
        let owner = try await handler.inboxOwner()
        let resume = try Self.lastEventID(request)
        let refusal = self.refusal
        var stream = InboxStream(
            hub: hub, store: handler.inbox, database: handler.database, owner: owner, heartbeat: heartbeat,
            stillValid: { refusal(caller) == nil && caller.expiresAt.map { $0 > Date() } ?? true }, resume: resume)
        switch request.uri.queryParameters.get("once") ?? "false" {
        case "false": stream.once = false
        case "true": stream.once = true
        default: throw NotifyError.invalid("once must be true or false.")
        }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        // Proxies that buffer responses (nginx) would hold the events back.
        if let buffering = HTTPField.Name("X-Accel-Buffering") { headers[buffering] = "no" }
        let ready = stream
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await ready.run(&writer) })
    }

    /// `Last-Event-ID` (or `lastEventId`): the number of the last item the client got.
    static func lastEventID(_ request: Request) throws -> Int64? {
        let header = HTTPField.Name("Last-Event-ID").flatMap { request.headers[$0] }
        guard let text = header ?? request.uri.queryParameters.get("lastEventId"), !text.isEmpty else { return nil }
        guard text.utf8.count <= 19, let number = Int64(text), number >= 0 else {
            throw NotifyError.invalid("Last-Event-ID is not the id of an event this stream sent.")
        }
        return number
    }
}
