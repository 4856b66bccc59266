public import AtriumRuntime
import Contracts
import Foundation
public import Hummingbird
public import Logging
import NotifyAPI
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// The ids of NotifyService's subscriptions to ChatService's events and AccountService's invitations.
let chatEventsSubscription = "notify-service.chat"
let accountEventsSubscription = "notify-service.account"
let pipelineEventsSubscription = "notify-service.pipeline"

/// NotifyService as the shared runtime sees it.
public func notifyServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(
        name: .notify, migrations: NotifyMigrations.all, document: try NotifyAPIDocument.yaml(),
        subscriptions: [
            SubscriptionRequest(id: chatEventsSubscription, producer: .chat, eventTypes: [
                EventTypes.chatMessageCreated, EventTypes.chatNoteCreated, EventTypes.chatTaskChanged,
                EventTypes.chatThreadTasksCompleted, EventTypes.chatThreadDocumentAttached, EventTypes.chatThreadReminderDue,
            ], path: "/v1/inbound/chat-events"),
            SubscriptionRequest(id: accountEventsSubscription, producer: .account, eventTypes: [EventTypes.accountInvitationCreated],
                                path: "/v1/inbound/invitation-events"),
            SubscriptionRequest(id: pipelineEventsSubscription, producer: .pipeline, eventTypes: [EventTypes.pipelineItemReminderDue],
                                path: "/v1/inbound/pipeline-events"),
        ],
        enforcesAccountAccess: true)
}

/// What NotifyService asks other services and how it sends e-mail, when a test answers instead.
struct NotifyDependencies: Sendable {
    var directory: (any NotifyDirectory)?
    var accounts: (any AccountDirectory)?
    /// Set to send through a test double instead of `smtp.url`.
    var mail: MailSetup?
    var clock: any JobClock = SystemJobClock()
}

/// Builds NotifyService: storage, routes and background work, ready to run.
public func buildApplication(
    _ configuration: ServiceConfiguration, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    try await buildApplication(configuration, dependencies: NotifyDependencies(), logger: logger, metrics: metrics)
}

func buildApplication(
    _ configuration: ServiceConfiguration, dependencies: NotifyDependencies, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    // Read before anything starts, so a malformed smtp.* setting stops the service at once.
    let mail = try dependencies.mail ?? MailSetup.configured(configuration)
    let settings = try EmailSettings(configuration)
    if let timeout = mail?.timeout, settings.retry.lease <= timeout {
        // A lease that ran out while the attempt still talks to the server would let a second one send it too.
        throw ConfigurationError.invalid(key: "email.lease.seconds", why: "must be longer than smtp.timeout.seconds")
    }
    let runtime = try await ServiceRuntime.start(configuration, definition: try notifyServiceDefinition(), logger: logger, metrics: metrics)
    if let mail {
        runtime.logger.info("E-mail goes out over SMTP", metadata: ["smtp": "\(mail.description)"])
    } else {
        runtime.logger.info("E-mail is not configured (smtp.url is unset): e-mails are held until it is")
    }
    let handler = try notifyHandler(runtime, dependencies: dependencies, settings: settings, mail: mail)
    let directory = handler.people
    let delivery = NoticeDelivery(inbox: handler.inbox, emails: handler.emails, preferences: handler.preferences, composer: handler.composer,
                                  domain: handler.mailDomain, clock: dependencies.clock, hub: handler.hub, digests: handler.digests)
    let fanout = FanoutJob(outbox: runtime.outbox, directory: directory, delivery: delivery)
    let sender = EmailSendJob(database: runtime.database, store: handler.emails, composer: handler.composer, directory: directory,
                              mailer: mail?.mailer, from: mail?.from, connections: SMTPConnections(limit: settings.connections),
                              logger: runtime.logger)
    // E-mails kept while no SMTP server was configured go out now that one is.
    if mail != nil { try await EmailSendJob.release(store: handler.emails, outbox: runtime.outbox, maxAttempts: settings.maxAttempts,
                                                      clock: dependencies.clock) }
    let hour = try ServiceConfiguration.integer(configuration.reader, "notify.digest.hour", default: 7, in: 0...23)
    let digest = DigestJob(outbox: runtime.outbox, store: handler.digests, emails: handler.emails, composer: handler.composer,
                           domain: handler.mailDomain, hour: hour, clock: dependencies.clock)
    try await runtime.outbox.transaction { tx in try await DigestJob.schedule(after: dependencies.clock.now(), hour: hour, on: tx) }
    let jobs = fanout.handlers(policy: JobRetryPolicy(base: settings.retry.base, maxDelay: settings.retry.maxDelay))
        .merging(sender.handlers(policy: settings.retry)).merging(digest.handlers())
    return runtime.application(router: try buildRouter(runtime, handler: handler), jobs: jobs, clock: dependencies.clock)
}

/// The router: shared middleware, operational routes, the webhooks API and the notify API.
public func buildRouter(_ runtime: ServiceRuntime) throws -> Router<BasicRequestContext> {
    let settings = try EmailSettings(runtime.configuration)
    return try buildRouter(runtime, handler: try notifyHandler(runtime, dependencies: NotifyDependencies(), settings: settings,
                                                                mail: try MailSetup.configured(runtime.configuration)))
}

func buildRouter(_ runtime: ServiceRuntime, handler: NotifyAPIHandler) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    // The inbox stream goes before the generated routes, which skip it.
    InboxRoutes(handler: handler, hub: handler.hub, heartbeat: try LiveSettings(runtime.configuration).heartbeat,
                refusal: runtime.directoryCache.refusal(of:)).register(on: router)
    try handler.registerHandlers(on: SkippingTransport(router: router, skipped: InboxRoutes.skipped), configuration: .atrium)
    return router
}

/// NotifyService's routes, with what they depend on.
func notifyHandler(_ runtime: ServiceRuntime, dependencies: NotifyDependencies, settings: EmailSettings, mail: MailSetup?) throws -> NotifyAPIHandler {
    let live = try LiveSettings(runtime.configuration)
    return NotifyAPIHandler(
        outbox: runtime.outbox, inbox: InboxStore(), preferences: PreferenceStore(), emails: EmailStore(),
        composer: try EmailComposer(settings: settings),
        hub: InboxHub(store: InboxStore(), database: runtime.database, poll: live.poll, logger: runtime.logger),
        directory: try dependencies.accounts ?? runtime.accountDirectory(),
        people: try dependencies.directory ?? AccountServiceDirectory(clients: runtime.clients), templates: EmailTemplateStore(),
        digests: DigestStore(),
        chatInbox: runtime.inbox(for: chatEventsSubscription), accountInbox: runtime.inbox(for: accountEventsSubscription),
        pipelineInbox: runtime.inbox(for: pipelineEventsSubscription),
        mailDomain: MailSetup.domain(from: mail?.from, portalURL: settings.portalURL), clock: dependencies.clock)
}
