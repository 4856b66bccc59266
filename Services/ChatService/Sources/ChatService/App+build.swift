public import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// The id of ChatService's subscription to DocService's document events.
let docEventsSubscription = "chat-service.doc"

/// ChatService as the shared runtime sees it.
public func chatServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(
        name: .chat, migrations: ChatMigrations.all, document: try ChatAPIDocument.yaml(),
        publishedEventTypes: [
            EventTypes.chatThreadCreated, EventTypes.chatMessageCreated, EventTypes.chatNoteCreated, EventTypes.chatTaskChanged,
            EventTypes.chatThreadTasksCompleted, EventTypes.chatThreadTasksReopened, EventTypes.chatThreadArchived,
            EventTypes.chatThreadReopened, EventTypes.chatThreadDocumentAttached, EventTypes.chatThreadReminderDue,
            EventTypes.chatThreadJobLinked, EventTypes.chatThreadJobUnlinked,
        ],
        subscriptions: [
            SubscriptionRequest(id: docEventsSubscription, producer: .doc,
                                eventTypes: [EventTypes.docDocumentUploaded, EventTypes.docDocumentDeleted], path: "/v1/inbound/doc-events")
        ],
        enforcesAccountAccess: true)
}

/// What ChatService asks other services, when a test answers instead of them.
public struct ChatDependencies: Sendable {
    var directory: (any AccountDirectory)?
    var people: (any ChatPeople)?
    var catalog: (any DocumentCatalog)?
    /// The time reminders run by; tests move it by hand.
    var clock: any JobClock = SystemJobClock()

    public init() {}

    init(directory: (any AccountDirectory)?, people: (any ChatPeople)? = nil, catalog: (any DocumentCatalog)? = nil,
         clock: any JobClock = SystemJobClock()) {
        self.directory = directory
        self.people = people
        self.catalog = catalog
        self.clock = clock
    }
}

/// Builds ChatService: storage, routes and background work, ready to run.
///
/// - Parameter directory: where access is checked; AccountService through the local cache unless a test passes its own.
public func buildApplication(
    _ configuration: ServiceConfiguration, directory: (any AccountDirectory)? = nil, logger: Logger? = nil,
    metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    try await buildApplication(configuration, dependencies: ChatDependencies(directory: directory), logger: logger, metrics: metrics)
}

func buildApplication(
    _ configuration: ServiceConfiguration, dependencies: ChatDependencies, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime.start(configuration, definition: try chatServiceDefinition(), logger: logger, metrics: metrics)
    let handler = try chatHandler(runtime, dependencies: dependencies)
    let scan = ReminderScan(outbox: runtime.outbox, store: handler.store, clock: dependencies.clock)
    let bulk = BulkSendJob(handler: handler, bulks: handler.bulks)
    let live = try LiveSettings(configuration)
    // A scan now catches whatever fell due while the service was down.
    try await runtime.database.transaction { db in try await ReminderScan.scheduleAtStart(now: dependencies.clock.now(), on: db) }
    try await LivePruneJob.scheduleNext(runtime.database, after: EpochMillis.now())
    let jobs = scan.handlers().merging(bulk.handlers()).merging(LivePruneJob.handlers(LiveLog(database: runtime.database), retention: live.retention))
    return runtime.application(router: try buildRouter(runtime, handler: handler), jobs: jobs, clock: dependencies.clock)
}

/// The router: shared middleware and operational routes, the webhooks API and the chat API.
public func buildRouter(_ runtime: ServiceRuntime, directory: (any AccountDirectory)? = nil) throws -> Router<BasicRequestContext> {
    try buildRouter(runtime, handler: try chatHandler(runtime, dependencies: ChatDependencies(directory: directory)))
}

func buildRouter(_ runtime: ServiceRuntime, handler: ChatAPIHandler) throws -> Router<BasicRequestContext> {
    let replica = handler.replica
    let router = try runtime.makeRouter(grantObserver: { grant, db in try await replica.record(grant, on: db) })
    // The live streams go before the generated routes, which skip them.
    LiveRoutes(live: handler.live, store: handler.store, database: runtime.database, directory: handler.directory,
               refusal: runtime.directoryCache.refusal(of:), settings: try LiveSettings(runtime.configuration)).register(on: router)
    try handler.registerHandlers(on: SkippingTransport(router: router, skipped: LiveRoutes.skipped), configuration: .atrium)
    return router
}

/// ChatService's routes, with what they depend on.
func chatHandler(_ runtime: ServiceRuntime, dependencies: ChatDependencies) throws -> ChatAPIHandler {
    let forUpdate = runtime.database.forUpdate
    let replica = AccountReplica(forUpdate: forUpdate)
    return ChatAPIHandler(
        outbox: runtime.outbox, store: ThreadStore(forUpdate: forUpdate), replica: replica,
        directory: ReplicatingDirectory(base: try dependencies.directory ?? runtime.accountDirectory(), replica: replica, database: runtime.database),
        people: try dependencies.people ?? AccountServicePeople(clients: runtime.clients),
        catalog: try dependencies.catalog ?? DocServiceCatalog(clients: runtime.clients),
        docInbox: runtime.inbox(for: docEventsSubscription), live: try LiveUpdates(runtime), clock: dependencies.clock)
}
