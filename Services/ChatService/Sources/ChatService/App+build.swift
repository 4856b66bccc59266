public import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// ChatService as the shared runtime sees it.
public func chatServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(
        name: .chat, migrations: ChatMigrations.all, document: try ChatAPIDocument.yaml(),
        publishedEventTypes: [EventTypes.chatThreadTasksCompleted], enforcesAccountAccess: true)
}

/// Builds ChatService: storage, routes and background work, ready to run.
///
/// - Parameter directory: where access is checked; AccountService through the local cache unless a test passes its own.
public func buildApplication(
    _ configuration: ServiceConfiguration, directory: (any AccountDirectory)? = nil, logger: Logger? = nil,
    metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime.start(configuration, definition: try chatServiceDefinition(), logger: logger, metrics: metrics)
    return runtime.application(router: try buildRouter(runtime, directory: directory))
}

/// The router: shared middleware and operational routes, the webhooks API and the chat API.
public func buildRouter(_ runtime: ServiceRuntime, directory: (any AccountDirectory)? = nil) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    try ChatAPIHandler(outbox: runtime.outbox, threads: SQLThreadRepository(forUpdate: runtime.database.forUpdate),
                       directory: try directory ?? runtime.accountDirectory())
        .registerHandlers(on: router, configuration: .atrium)
    return router
}
