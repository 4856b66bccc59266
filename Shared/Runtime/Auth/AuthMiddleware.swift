public import Hummingbird
import Logging
import HTTPTypes

/// Verifies the bearer token of every request and publishes the caller in `RequestScope`.
///
/// Deny by default: under `/v1/` only the routes the OpenAPI documents mark `security: []` may be
/// called without a token; a missing, expired or forged token on any other route is a 401.
public struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let verifier: TokenVerifier
    let publicRoutes: PublicRoutes
    /// Members whose role, rights or status changed since their token was issued.
    let revocations: DirectoryCache?

    public init(verifier: TokenVerifier, publicRoutes: PublicRoutes, revocations: DirectoryCache? = nil) {
        self.verifier = verifier
        self.publicRoutes = publicRoutes
        self.revocations = revocations
    }

    static var readOnlyMethods: Set<HTTPRequest.Method> { [.get, .head] }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let isPublic = !path.hasPrefix("/v1/") || publicRoutes.contains(method: request.method.rawValue, path: path)
        guard let header = request.headers[.authorization] else {
            guard isPublic else { throw RuntimeError.unauthenticated("This route needs a bearer token.") }
            return try await next(request, context)
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw RuntimeError.unauthenticated("The Authorization header must be \"Bearer <token>\".")
        }
        let token = String(header.dropFirst(7))
        let caller = try await verifier.verify(token)
        if let why = revocations?.refusal(of: caller) { throw RuntimeError.unauthenticated(why) }
        if caller.portalView != nil, !Self.readOnlyMethods.contains(request.method) {
            throw RuntimeError.forbidden("A view of the portal as a contact is read-only.")
        }
        guard var scope = RequestScope.current else { return try await next(request, context) }
        scope.caller = caller
        scope.bearerToken = token
        scope.logger[metadataKey: "caller"] = "\(caller.kind.rawValue):\(caller.subject)"
        if let view = caller.portalView { scope.logger[metadataKey: "viewed_by"] = "member:\(view.memberID)" }
        return try await RequestScope.$current.withValue(scope) {
            try await next(request, context)
        }
    }
}

/// Method and path templates (`/v1/threads/{threadId}`) that need no token.
public struct PublicRoutes: Sendable {
    struct Route: Sendable {
        var method: String
        var segments: [Substring]
    }

    var routes: [Route]

    public init(_ routes: [(method: String, path: String)]) {
        self.routes = routes.map { Route(method: $0.method.uppercased(), segments: $0.path.split(separator: "/")) }
    }

    func contains(method: String, path: String) -> Bool {
        let segments = path.split(separator: "/")
        return routes.contains { route in
            route.method == method && route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { template, actual in
                    (template.first == "{" && template.last == "}") || template == actual
                }
        }
    }
}
