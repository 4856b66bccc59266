public import AsyncHTTPClient
public import Foundation
public import Hummingbird
public import Logging
import OpenAPIRuntime
import OpenAPIHummingbird
import WebhooksAPI
import DirectoryEventsAPI
import Contracts
public import Prometheus
import ServiceLifecycle

/// What makes one service different from another, as far as the shared runtime cares.
public struct ServiceDefinition: Sendable {
    public var name: ServiceName
    public var migrations: [Migration]
    /// The service's OpenAPI document (YAML); the shared webhooks document is merged in.
    public var document: Data
    /// Event types the service publishes through its outbox.
    public var publishedEventTypes: [String]
    /// Subscriptions the service registers with producers at start-up.
    public var subscriptions: [SubscriptionRequest]
    /// Whether the service checks account access itself: it then serves the directory events
    /// receiver and subscribes to AccountService's directory changes.
    public var enforcesAccountAccess: Bool

    public init(
        name: ServiceName, migrations: [Migration], document: Data, publishedEventTypes: [String] = [],
        subscriptions: [SubscriptionRequest] = [], enforcesAccountAccess: Bool = false
    ) {
        self.name = name
        self.migrations = migrations
        self.document = document
        self.publishedEventTypes = publishedEventTypes
        self.enforcesAccountAccess = enforcesAccountAccess
        self.subscriptions = subscriptions
        if enforcesAccountAccess {
            self.subscriptions.append(SubscriptionRequest(
                id: "\(name.rawValue)-service.directory", producer: .account, eventTypes: EventTypes.directoryChanges,
                path: "/v1/inbound/account-events"))
        }
    }
}

/// The dependencies every service is built from: storage, outbox, tokens, HTTP client, logging, metrics.
public struct ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let definition: ServiceDefinition
    public let database: Database
    public let outbox: Outbox
    public let tokens: TokenService
    public let httpClient: HTTPClient
    public let logger: Logger
    public let metrics: PrometheusCollectorRegistry
    public let document: OpenAPIDocument
    /// Typed-client plumbing for this service's calls to the others (one token cache for all of them).
    public let clients: ServiceClients
    /// The local copy of directory facts: account grants, firm policies, members' standing.
    public let directoryCache: DirectoryCache

    /// Opens the database, runs the migrations and prepares everything the routes need.
    public static func start(
        _ configuration: ServiceConfiguration, definition: ServiceDefinition, logger: Logger? = nil,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) async throws -> ServiceRuntime {
        var logger = logger ?? Logger(label: configuration.service.displayName)
        logger.logLevel = configuration.logLevel
        let document = try document(for: definition)
        let open = {
            try await Database.open(
                url: configuration.databaseURL,
                schema: configuration.databaseSchema,
                sqlitePath: "\(configuration.dataDirectory)/\(configuration.service.rawValue).sqlite",
                logger: logger
            )
        }
        var database = try await open()
        do {
            try await Migrator(database: database).run(EventMigrations.all + definition.migrations)
        } catch {
            try? await database.close()
            throw error
        }
        if database.engine == .sqlite {
            // SQLiteNIO reads a statement's column names before its first step; on a connection
            // opened before a migration, SQLite re-prepares at that step against the new schema
            // but the names stay those of the old one (`SELECT *` then "loses" added columns).
            // Serving from fresh connections rules that out.
            try await database.close()
            database = try await open()
        }
        do {
            try await WebhookFanOut.sweep(database, attempts: configuration.webhookDelivery.maxAttempts)
            try await WebhookRetention.scheduleNext(database, after: EpochMillis.now() - WebhookRetention.everyMillis)
        } catch {
            try? await database.close()
            throw error
        }
        let tokens = try await TokenService(secret: configuration.jwtSecret, accessTokenLifetime: configuration.accessTokenLifetime)
        // Webhook targets are outside our control: a redirect is a failed delivery, not a hop.
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        return ServiceRuntime(
            configuration: configuration, definition: definition, database: database,
            outbox: Outbox(database: database, signal: OutboxSignal(), deliveryAttempts: configuration.webhookDelivery.maxAttempts),
            tokens: tokens, httpClient: httpClient,
            logger: logger, metrics: metrics, document: document,
            clients: ServiceClients(configuration: configuration, tokens: tokens, httpClient: httpClient),
            directoryCache: DirectoryCache()
        )
    }

    /// The service's served document: its own contract with the shared webhooks contract merged in.
    public static func document(for definition: ServiceDefinition) throws -> OpenAPIDocument {
        var documents = [definition.document, try WebhooksAPIDocument.yaml()]
        if definition.enforcesAccountAccess { documents.append(try DirectoryEventsAPIDocument.yaml()) }
        return try OpenAPIDocument(yamlDocuments: documents)
    }

    /// A router with the shared middleware stack, the operational routes and the webhooks API;
    /// the service adds its own routes.
    public func makeRouter() throws -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestScopeMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.maxBodyBytes))
        router.add(middleware: AuthMiddleware(tokens: tokens, publicRoutes: document.publicRoutes, revocations: directoryCache))
        OperationalRoutes(database: database, metrics: metrics, document: document).register(on: router)
        try webhooksAPI.registerHandlers(on: router)
        if definition.enforcesAccountAccess {
            let inbox = WebhookInbox(database: database, secret: configuration.inboundWebhookSecret)
            try AccountEventsReceiver(inbox: inbox, cache: directoryCache).registerHandlers(on: router)
        }
        return router
    }

    /// Account access as this service checks it: the local cache, AccountService on a miss.
    public func accountDirectory() throws -> CachedAccountDirectory {
        try CachedAccountDirectory(cache: directoryCache, clients: clients)
    }

    /// The webhooks API handler for this service's outbox.
    var webhooksAPI: WebhooksAPIHandler {
        WebhooksAPIHandler(database: database, signal: outbox.signal, eventTypes: definition.publishedEventTypes,
                           attemptBudget: configuration.webhookDelivery.maxAttempts,
                           allowPrivateTargets: configuration.webhookDelivery.allowPrivateTargets)
    }

    /// The runtime's own job handlers: webhook delivery and retention.
    func runtimeJobs(clock: any JobClock) -> JobHandlers {
        var jobs = JobHandlers()
        let sender = WebhookSender(database: database, httpClient: httpClient, settings: configuration.webhookDelivery)
        jobs.register(WebhookFanOut.kind, policy: sender.policy) { job, _ in try await sender.run(job) }
        let retention = WebhookRetention(
            database: database, retentionMillis: Int64(configuration.retentionDays) * 86_400_000,
            retrySpanMillis: configuration.webhookDelivery.retrySpan.milliseconds)
        jobs.register(WebhookRetention.kind) { [database] _, _ in
            let now = clock.now()
            try await retention.prune(now: now)
            try await WebhookRetention.scheduleNext(database, after: now)
            return .succeeded()
        }
        return jobs
    }

    /// The HTTP server plus the background services: the job runner (webhook delivery, retention and
    /// the service's own `jobs`) and the subscription registrar.
    public func application(
        router: Router<BasicRequestContext>, jobs: JobHandlers = JobHandlers(), clock: any JobClock = SystemJobClock()
    ) -> some ApplicationProtocol {
        let runner = JobRunner(
            database: database, handlers: runtimeJobs(clock: clock).merging(jobs), signal: outbox.signal, clock: clock,
            concurrency: configuration.webhookDelivery.concurrency, logger: logger)
        let registrar = SubscriptionRegistrar(
            requests: definition.subscriptions, configuration: configuration, tokens: tokens,
            httpClient: httpClient, logger: logger)
        let logger = self.logger
        let configuration = self.configuration
        // Services stop in reverse order, so the closer (first) releases the pool and client last.
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: configuration.service.displayName),
            services: [ResourceCloser(database: database, httpClient: httpClient, logger: logger), runner, registrar],
            onServerRunning: { channel in
                logger.notice("ready", metadata: [
                    "service": "\(configuration.service.displayName)",
                    "address": "\(channel.localAddress?.description ?? "?")",
                ])
            },
            logger: logger
        )
    }
}

/// Closes the database pool and HTTP client once everything else has stopped.
struct ResourceCloser: Service {
    let database: Database
    let httpClient: HTTPClient
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try await httpClient.shutdown()
            try await database.close()
        } catch {
            logger.error("error while closing resources", metadata: ["error": "\(error)"])
        }
    }
}
