public import AtriumRuntime
import Contracts
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import PipelineAPI
public import Prometheus

/// PipelineService as the shared runtime sees it: it consumes ChatService's tasks-completed
/// events and publishes the jobs' events.
public func pipelineServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(
        name: .pipeline, migrations: PipelineMigrations.all, document: try PipelineAPIDocument.yaml(),
        publishedEventTypes: [
            EventTypes.pipelineJobCreated, EventTypes.pipelineJobMoved, EventTypes.pipelineJobCompleted, EventTypes.pipelineJobArchived,
            EventTypes.pipelineAutomationFailed,
        ],
        subscriptions: [
            SubscriptionRequest(
                id: "pipeline-service.chat", producer: .chat, eventTypes: [EventTypes.chatThreadTasksCompleted, EventTypes.chatThreadTasksReopened],
                path: "/v1/inbound/chat-events")
        ],
        enforcesAccountAccess: true)
}

/// What PipelineService asks of other services and what it keeps of items, when a test answers instead.
struct PipelineDependencies: Sendable {
    var downstream: (any PipelineDownstream)?
    var directory: (any AccountDirectory)?
    var items: any JobItems = NoJobItems()
    var clock: any JobClock = SystemJobClock()
    var templates: (any TemplateExchange)?
    /// The item templates' export and import (`ItemTemplateExchange`): none until the items plug in.
    var itemTemplates: any ItemTemplateExchange = NoItemTemplateExchange()
}

/// Builds PipelineService: storage, routes and background work, ready to run.
public func buildApplication(
    _ configuration: ServiceConfiguration, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    try await buildApplication(configuration, dependencies: PipelineDependencies(), logger: logger, metrics: metrics)
}

func buildApplication(
    _ configuration: ServiceConfiguration, dependencies: PipelineDependencies, logger: Logger? = nil,
    metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime.start(configuration, definition: try pipelineServiceDefinition(), logger: logger, metrics: metrics)
    let handler = try pipelineHandler(runtime, dependencies: dependencies)
    let executor = AutomationExecutor(downstream: handler.downstream, items: handler.items, jobs: handler.jobs)
    let stageRuns = StageRunJob(outbox: runtime.outbox, jobs: handler.jobs, pipelines: handler.pipelines, runs: handler.runs, executor: executor, states: handler.states,
                                clock: dependencies.clock, logger: runtime.logger)
    let automove = AutomoveCheckJob(outbox: runtime.outbox, jobs: handler.jobs, pipelines: handler.pipelines, items: handler.items,
                                    states: handler.states, downstream: handler.downstream, mover: handler.mover, clock: dependencies.clock,
                                    logger: runtime.logger)
    let jobs = stageRuns.handlers().merging(automove.handlers()).merging(ThreadReleaseJob(downstream: handler.downstream).handlers())
    let router = try runtime.makeRouter()
    try handler.registerHandlers(on: router, configuration: .atrium)
    return runtime.application(router: router, jobs: jobs, clock: dependencies.clock)
}

/// The router: shared middleware and operational routes, the webhooks API and the pipeline API.
public func buildRouter(_ runtime: ServiceRuntime) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    try pipelineHandler(runtime, dependencies: PipelineDependencies()).registerHandlers(on: router, configuration: .atrium)
    return router
}

/// PipelineService's routes, with what they depend on.
func pipelineHandler(_ runtime: ServiceRuntime, dependencies: PipelineDependencies) throws -> PipelineAPIHandler {
    let forUpdate = runtime.database.forUpdate
    return PipelineAPIHandler(
        database: runtime.database, inbox: runtime.inbox(for: "pipeline-service.chat"), states: SQLChatThreadStateRepository(),
        directory: try dependencies.directory ?? runtime.accountDirectory(), pipelines: PipelineStore(forUpdate: forUpdate),
        outbox: runtime.outbox, jobs: JobStore(forUpdate: forUpdate), runs: AutomationRunStore(), items: dependencies.items,
        downstream: try dependencies.downstream ?? ServiceDownstream(clients: runtime.clients), clock: dependencies.clock,
        templates: try dependencies.templates ?? LiveTemplateExchange(clients: runtime.clients), itemTemplates: dependencies.itemTemplates)
}
