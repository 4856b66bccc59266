public import AsyncHTTPClient
public import Foundation
public import Hummingbird
public import Logging
import OpenAPIRuntime
import OpenAPIHummingbird
import WebhooksAPI
import DirectoryEventsAPI
import Contracts
public import JWTKit
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
                id: directorySubscriptionID, producer: .account, eventTypes: EventTypes.directoryChanges,
                path: "/v1/inbound/account-events"))
        }
    }

    /// The id of this service's subscription to AccountService's directory changes.
    public var directorySubscriptionID: String { "\(name.rawValue)-service.directory" }
}

/// The dependencies every service is built from: storage, outbox, tokens, HTTP client, logging, metrics.
public struct ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let definition: ServiceDefinition
    public let database: Database
    public let outbox: Outbox
    /// Checks every request's bearer token with AccountService's public keys.
    public let verifier: TokenVerifier
    public let httpClient: HTTPClient
    public let logger: Logger
    public let metrics: PrometheusCollectorRegistry
    public let document: OpenAPIDocument
    /// Typed-client plumbing for this service's calls to the others (one token cache for all of them).
    public let clients: ServiceClients
    /// The local copy of directory facts: account grants, firm policies, members' standing.
    public let directoryCache: DirectoryCache
    /// The secret of each subscription this service registers as a consumer, by subscription id.
    public let inboundSecrets: [String: String]

    /// Opens the database, runs the migrations and prepares everything the routes need.
    /// `verificationKeys` are the keys AccountService signs with, when it is the one starting;
    /// other services read `jwt.verification.keys` or AccountService's JWKS document.
    public static func start(
        _ configuration: ServiceConfiguration, definition: ServiceDefinition, logger: Logger? = nil,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), verificationKeys: [EdDSA.PublicKey]? = nil
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
            try await Migrator(database: database).run(EventMigrations.all + [InboundWebhookSecrets.migration, IdempotencyStore.migration] + definition.migrations)
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
        // Before the HTTP client exists: a client dropped without shutting down traps.
        let inboundSecrets: [String: String]
        do {
            inboundSecrets = try await InboundWebhookSecrets.ensure(definition.subscriptions.map(\.id), in: database)
            try await WebhookFanOut.sweep(database, attempts: configuration.webhookDelivery.maxAttempts)
            try await WebhookRetention.scheduleNext(database, after: EpochMillis.now() - WebhookRetention.everyMillis)
        } catch {
            try? await database.close()
            throw error
        }
        // Webhook targets are outside our control: a redirect is a failed delivery, not a hop.
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let keys = verificationKeys ?? configuration.verificationKeys
        let verifier = await TokenVerifier(
            audience: configuration.service.displayName,
            source: keys.map { .keys($0) } ?? .jwks(url: (configuration.serviceURLs[.account] ?? "") + "/.well-known/jwks.json", client: httpClient))
        let name = configuration.service.displayName
        let credential = configuration.serviceCredential
            ?? configuration.accountSecret.map { ServiceCredential.derive(root: $0, for: name) } ?? ""
        let serviceTokens = ServiceTokenCache.fromAccountService(
            url: configuration.serviceURLs[.account] ?? "", name: name, credential: credential, httpClient: httpClient)
        return ServiceRuntime(
            configuration: configuration, definition: definition, database: database,
            outbox: Outbox(database: database, signal: OutboxSignal(), deliveryAttempts: configuration.webhookDelivery.maxAttempts),
            verifier: verifier, httpClient: httpClient,
            logger: logger, metrics: metrics, document: document,
            clients: ServiceClients(serviceURLs: configuration.serviceURLs, tokens: serviceTokens, httpClient: httpClient),
            directoryCache: DirectoryCache(), inboundSecrets: inboundSecrets
        )
    }

    /// The inbox of the subscription `id` this service registered as a consumer.
    public func inbox(for subscription: String) -> WebhookInbox {
        WebhookInbox(database: database, secret: inboundSecrets[subscription] ?? "")
    }

    /// The service's served document: its own contract with the shared webhooks contract merged in.
    public static func document(for definition: ServiceDefinition) throws -> OpenAPIDocument {
        var documents = [definition.document, try WebhooksAPIDocument.yaml()]
        if definition.enforcesAccountAccess { documents.append(try DirectoryEventsAPIDocument.yaml()) }
        return try OpenAPIDocument(yamlDocuments: documents)
    }

    /// A router with the shared middleware stack, the operational routes and the webhooks API;
    /// the service adds its own routes. `streamedBodies` are routes whose handlers stream the body;
    /// `grantObserver` hears every account grant AccountService announces.
    public func makeRouter(streamedBodies: [StreamedBodyRoute] = [], grantObserver: GrantObserver? = nil) throws -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestScopeMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.maxBodyBytes, streamed: streamedBodies))
        router.add(middleware: AuthMiddleware(verifier: verifier, publicRoutes: document.publicRoutes, revocations: directoryCache))
        router.add(middleware: IdempotencyMiddleware(store: IdempotencyStore(database: database, lease: configuration.idempotencyLease), maxBodyBytes: configuration.maxBodyBytes, streamed: streamedBodies))
        OperationalRoutes(database: database, metrics: metrics, document: document).register(on: router)
        try webhooksAPI.registerHandlers(on: router, configuration: .atrium)
        if definition.enforcesAccountAccess {
            try AccountEventsReceiver(inbox: inbox(for: definition.directorySubscriptionID), cache: directoryCache, grantObserver: grantObserver)
                .registerHandlers(on: router, configuration: .atrium)
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
            requests: definition.subscriptions, secrets: inboundSecrets, configuration: configuration, tokens: clients.tokens,
            httpClient: httpClient, logger: logger)
        let logger = self.logger
        let configuration = self.configuration
        // Services stop in reverse order, so the closer (first) releases the pool and client last.
        return Application(
            responder: ClientAddressResponder(router.buildResponder()),
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
