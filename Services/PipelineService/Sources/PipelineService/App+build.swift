public import AtriumRuntime
import Contracts
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import PipelineAPI
public import Prometheus

/// PipelineService as the shared runtime sees it: it consumes ChatService's tasks-completed events.
public func pipelineServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(
        name: .pipeline, migrations: PipelineMigrations.all, document: try PipelineAPIDocument.yaml(),
        publishedEventTypes: ItemServices.eventTypes,
        subscriptions: [
            SubscriptionRequest(
                id: "pipeline-service.chat", producer: .chat, eventTypes: [EventTypes.chatThreadTasksCompleted, EventTypes.chatThreadTasksReopened],
                path: "/v1/inbound/chat-events")
        ],
        enforcesAccountAccess: true)
}

/// Builds PipelineService: storage, routes and background work, ready to run.
///
/// - Parameter directory: where access is checked; AccountService through the local cache unless a test passes its own.
public func buildApplication(
    _ configuration: ServiceConfiguration, directory: (any AccountDirectory)? = nil, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime.start(configuration, definition: try pipelineServiceDefinition(), logger: logger, metrics: metrics)
    let reminders = ItemReminderJob(outbox: runtime.outbox, store: ItemStore(forUpdate: runtime.database.forUpdate), clock: SystemJobClock())
    return runtime.application(router: try buildRouter(runtime, directory: directory), jobs: reminders.handlers())
}

/// The router: shared middleware and operational routes, the webhooks API and the pipeline API.
public func buildRouter(_ runtime: ServiceRuntime, directory: (any AccountDirectory)? = nil) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    let inbox = runtime.inbox(for: "pipeline-service.chat")
    try PipelineAPIHandler(database: runtime.database, inbox: inbox, states: SQLChatThreadStateRepository(),
                           directory: try directory ?? runtime.accountDirectory(), pipelines: PipelineStore(forUpdate: runtime.database.forUpdate),
                           items: ItemServices(runtime))
        .registerHandlers(on: router, configuration: .atrium)
    return router
}
