public import AtriumRuntime
import DocAPI
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
public import Prometheus

/// DocService as the shared runtime sees it.
public func docServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(name: .doc, migrations: [], document: try DocAPIDocument.yaml(), enforcesAccountAccess: true)
}

/// Builds DocService: storage, routes and background work, ready to run.
public func buildApplication(
    _ configuration: ServiceConfiguration, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime.start(configuration, definition: try docServiceDefinition(), logger: logger, metrics: metrics)
    return runtime.application(router: try buildRouter(runtime))
}

/// The router: shared middleware, operational routes and the webhooks API; the doc routes come with their issue.
public func buildRouter(_ runtime: ServiceRuntime) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    try DocAPIHandler().registerHandlers(on: router)
    return router
}

/// The DocAPI contract's handler (no operations yet).
struct DocAPIHandler: APIProtocol {}
