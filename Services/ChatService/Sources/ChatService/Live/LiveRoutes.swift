import AtriumRuntime
import Hummingbird
import HTTPTypes

/// `GET /v1/threads/{threadId}/events` (one thread) and `GET /v1/threads/events` (the caller's
/// thread list): live updates as server-sent events. Streaming routes, registered before the
/// generated ones, which skip them (`SkippingTransport`).
struct LiveRoutes: Sendable {
    static let threadPath = "/v1/threads/{threadId}/events"
    static let listPath = "/v1/threads/events"
    /// What the generated routes leave to these.
    static let skipped: [(HTTPRequest.Method, String)] = [(.get, threadPath), (.get, listPath)]

    let live: LiveUpdates
    let store: ThreadStore
    let database: Database
    let directory: any AccountDirectory
    /// The runtime's refusal of tokens a change of role, rights or status made stale.
    let refusal: @Sendable (Caller) -> String?
    let settings: LiveSettings

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.threadPath)) { request, context in try await thread(request, context: context) }
        router.get(RouterPath(Self.listPath)) { request, _ in try await list(request) }
    }

    /// A thread the caller may see (404 otherwise, as for a missing one).
    func thread(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let caller = try RequestScope.requireCaller()
        let asked = try LiveRequest(request)
        let id = try context.parameters.require("threadId")
        guard let thread = try await store.find(id, on: database.sql),
            try await directory.allows(caller, account: thread.accountId, firm: thread.firmId) else {
            throw ChatError.threadNotFound(id)
        }
        let filter = LiveFilter(firmID: thread.firmId, scope: .thread(thread.id), readerID: caller.subject, seesTeam: caller.kind != .contact)
        return respond(filter, access(caller, accounts: nil), asked)
    }

    /// Every thread the caller may see, or those of one account.
    func list(_ request: Request) async throws -> Response {
        let caller = try RequestScope.requireCaller()
        let asked = try LiveRequest(request)
        let (firm, scope, accounts) = try await listScope(caller, accountID: asked.accountID)
        let filter = LiveFilter(firmID: firm, scope: scope, readerID: caller.subject, seesTeam: caller.kind != .contact)
        return respond(filter, access(caller, accounts: accounts), asked)
    }

    /// The firm and accounts a list shows, as `listThreads` scopes them; for assigned members and
    /// contacts, also how to read their accounts again.
    private func listScope(
        _ caller: Caller, accountID: String?
    ) async throws -> (String, LiveFilter.Scope, (@Sendable () async throws -> Set<String>)?) {
        if let accountID {
            guard let grant = try await directory.grant(for: accountID, visibleTo: caller) else { throw ChatError.accountNotFound(accountID) }
            return (grant.firmID, .accounts([grant.accountID]), nil)
        }
        guard let firm = caller.firmID else { throw ChatError.invalid("A service streams one account's threads: give accountId.") }
        if let view = caller.portalView { return (firm, .accounts([view.accountID]), nil) }
        if caller.seesEveryAccount(of: firm) { return (firm, .firm, nil) }
        let (database, person) = (self.database, caller.subject)
        let accounts: @Sendable () async throws -> Set<String> = { try await AccountReplica.accountIDs(of: person, on: database.sql) }
        return (firm, .accounts(try await accounts()), accounts)
    }

    private func access(_ caller: Caller, accounts: (@Sendable () async throws -> Set<String>)?) -> LiveAccess {
        LiveAccess(caller: caller, directory: directory, refusal: refusal, accounts: accounts)
    }

    private func respond(_ filter: LiveFilter, _ access: LiveAccess, _ asked: LiveRequest) -> Response {
        let stream = LiveStream(log: live.log, hub: live.hub, filter: filter, access: access, settings: settings, resume: asked.resume)
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        // Proxies that buffer responses (nginx) would hold the events back.
        if let buffering = HTTPField.Name("X-Accel-Buffering") { headers[buffering] = "no" }
        let once = asked.once
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            if once { try await stream.catchUp(&writer) } else { try await stream.live(&writer) }
        })
    }
}
