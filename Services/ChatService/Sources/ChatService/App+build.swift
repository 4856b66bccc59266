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
            EventTypes.chatThreadReopened, EventTypes.chatThreadDocumentAttached,
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

    public init() {}

    init(directory: (any AccountDirectory)?, people: (any ChatPeople)? = nil, catalog: (any DocumentCatalog)? = nil) {
        self.directory = directory
        self.people = people
        self.catalog = catalog
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
    let settings = try LiveSettings(configuration)
    try await LivePruneJob.scheduleNext(runtime.database, after: EpochMillis.now())
    return runtime.application(
        router: try buildRouter(runtime, dependencies: dependencies),
        jobs: LivePruneJob.handlers(LiveLog(database: runtime.database), retention: settings.retention))
}

/// The router: shared middleware and operational routes, the webhooks API and the chat API.
public func buildRouter(_ runtime: ServiceRuntime, directory: (any AccountDirectory)? = nil) throws -> Router<BasicRequestContext> {
    try buildRouter(runtime, dependencies: ChatDependencies(directory: directory))
}

func buildRouter(_ runtime: ServiceRuntime, dependencies: ChatDependencies) throws -> Router<BasicRequestContext> {
    let forUpdate = runtime.database.forUpdate
    let replica = AccountReplica(forUpdate: forUpdate)
    let router = try runtime.makeRouter(grantObserver: { grant, db in try await replica.record(grant, on: db) })
    let directory = try dependencies.directory ?? runtime.accountDirectory()
    let store = ThreadStore(forUpdate: forUpdate)
    let live = try LiveUpdates(runtime)
    // The live streams go before the generated routes, which skip them.
    LiveRoutes(live: live, store: store, database: runtime.database, directory: directory, refusal: runtime.directoryCache.refusal(of:),
               settings: try LiveSettings(runtime.configuration)).register(on: router)
    try ChatAPIHandler(
        outbox: runtime.outbox, store: store, replica: replica, directory: directory,
        people: try dependencies.people ?? AccountServicePeople(clients: runtime.clients),
        catalog: try dependencies.catalog ?? DocServiceCatalog(clients: runtime.clients),
        docInbox: runtime.inbox(for: docEventsSubscription), live: live
    ).registerHandlers(on: SkippingTransport(router: router, skipped: LiveRoutes.skipped), configuration: .atrium)
    return router
}
