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
        ] + ItemServices.eventTypes,
        subscriptions: [
            SubscriptionRequest(
                id: "pipeline-service.chat", producer: .chat,
                eventTypes: [EventTypes.chatThreadTasksCompleted, EventTypes.chatThreadTasksReopened, EventTypes.chatThreadJobLinked,
                             EventTypes.chatThreadJobUnlinked],
                path: "/v1/inbound/chat-events")
        ],
        enforcesAccountAccess: true)
}

/// What PipelineService asks of other services and what it keeps of items, when a test answers instead.
struct PipelineDependencies: Sendable {
    var downstream: (any PipelineDownstream)?
    var directory: (any AccountDirectory)?
    /// The job's items as jobs and automove see them; the stored items unless a test says otherwise.
    var items: (any JobItems)?
    var clock: any JobClock = SystemJobClock()
    var templates: (any TemplateExchange)?
    /// The item templates' export and import; the stored item templates unless a test says otherwise.
    var itemTemplates: (any ItemTemplateExchange)?
}

/// Builds PipelineService: storage, routes and background work, ready to run.
///
/// - Parameter directory: where access is checked; AccountService through the local cache unless a test passes its own.
public func buildApplication(
    _ configuration: ServiceConfiguration, directory: (any AccountDirectory)? = nil, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    try await buildApplication(configuration, dependencies: PipelineDependencies(directory: directory), logger: logger, metrics: metrics)
}

func buildApplication(
    _ configuration: ServiceConfiguration, dependencies: PipelineDependencies, logger: Logger? = nil,
    metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime.start(configuration, definition: try pipelineServiceDefinition(), logger: logger, metrics: metrics)
    let handler = try pipelineHandler(runtime, dependencies: dependencies)
    let executor = AutomationExecutor(downstream: handler.downstream, items: handler.jobItems, jobs: handler.jobs)
    let stageRuns = StageRunJob(outbox: runtime.outbox, jobs: handler.jobs, pipelines: handler.pipelines, runs: handler.runs, executor: executor,
                                states: handler.states, clock: dependencies.clock, logger: runtime.logger)
    let automove = AutomoveCheckJob(outbox: runtime.outbox, jobs: handler.jobs, pipelines: handler.pipelines, items: handler.jobItems,
                                    states: handler.states, downstream: handler.downstream, mover: handler.mover, clock: dependencies.clock,
                                    logger: runtime.logger)
    let reminders = ItemReminderJob(outbox: runtime.outbox, store: handler.items.store, clock: dependencies.clock)
    // Longer than a stage's calls can take (each call times out): a run cut off by a crash is taken up again after it.
    let lease = try ServiceConfiguration.integer(configuration.reader, "pipeline.automation.lease.seconds", default: 30, in: 2...3600)
    let jobs = stageRuns.handlers(lease: .seconds(lease)).merging(automove.handlers()).merging(ThreadReleaseJob(downstream: handler.downstream).handlers())
        .merging(reminders.handlers())
    let router = try runtime.makeRouter()
    try handler.registerHandlers(on: router, configuration: .atrium)
    return runtime.application(router: router, jobs: jobs, clock: dependencies.clock)
}

/// The router: shared middleware and operational routes, the webhooks API and the pipeline API.
public func buildRouter(_ runtime: ServiceRuntime, directory: (any AccountDirectory)? = nil) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    try pipelineHandler(runtime, dependencies: PipelineDependencies(directory: directory)).registerHandlers(on: router, configuration: .atrium)
    return router
}

/// PipelineService's routes, with what they depend on.
func pipelineHandler(_ runtime: ServiceRuntime, dependencies: PipelineDependencies) throws -> PipelineAPIHandler {
    let forUpdate = runtime.database.forUpdate
    let items = ItemServices(runtime)
    return PipelineAPIHandler(
        database: runtime.database, inbox: runtime.inbox(for: "pipeline-service.chat"), states: SQLChatThreadStateRepository(),
        directory: try dependencies.directory ?? runtime.accountDirectory(), pipelines: PipelineStore(forUpdate: forUpdate),
        outbox: runtime.outbox, jobs: JobStore(forUpdate: forUpdate), runs: AutomationRunStore(),
        jobItems: dependencies.items ?? StoredJobItems(store: items.store),
        downstream: try dependencies.downstream ?? ServiceDownstream(clients: runtime.clients), clock: dependencies.clock, items: items,
        templates: try dependencies.templates ?? LiveTemplateExchange(clients: runtime.clients),
        itemTemplates: dependencies.itemTemplates ?? StoredItemTemplateExchange(store: ItemTemplateStore(forUpdate: forUpdate), database: runtime.database))
}
