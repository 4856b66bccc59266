public import AtriumRuntime
import DocAPI
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// DocService as the shared runtime sees it.
public func docServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(name: .doc, migrations: DocMigrations.all, document: try DocAPIDocument.yaml(), enforcesAccountAccess: true)
}

/// Builds DocService: storage, routes and background work, ready to run.
///
/// - Parameter directory: where access is checked; AccountService through the local cache unless a test passes its own.
public func buildApplication(
    _ configuration: ServiceConfiguration, directory: (any AccountDirectory)? = nil, logger: Logger? = nil,
    metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime.start(configuration, definition: try docServiceDefinition(), logger: logger, metrics: metrics)
    return runtime.application(router: try buildRouter(runtime, directory: directory))
}

/// The router: shared middleware, operational routes, the webhooks API and the folder routes.
public func buildRouter(_ runtime: ServiceRuntime, directory: (any AccountDirectory)? = nil) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    try DocAPIHandler(database: runtime.database, folders: SQLFolderRepository(forUpdate: runtime.database.forUpdate),
                      directory: try directory ?? runtime.accountDirectory())
        .registerHandlers(on: router, configuration: .atrium)
    return router
}
