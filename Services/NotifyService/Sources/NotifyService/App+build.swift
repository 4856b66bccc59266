public import AtriumRuntime
import NotifyAPI
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// NotifyService as the shared runtime sees it.
public func notifyServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(name: .notify, migrations: [], document: try NotifyAPIDocument.yaml(), enforcesAccountAccess: true)
}

/// Builds NotifyService: storage, routes and background work, ready to run.
public func buildApplication(
    _ configuration: ServiceConfiguration, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    // Read before anything starts, so a malformed smtp.* setting stops the service at once; the
    // queue that sends through the mailer takes it from here when it comes.
    let mailer = try SMTPSettings(configuration.reader).map(SMTPMailer.init(settings:))
    let runtime = try await ServiceRuntime.start(configuration, definition: try notifyServiceDefinition(), logger: logger, metrics: metrics)
    if let mailer {
        runtime.logger.info("E-mail goes out over SMTP", metadata: ["smtp": "\(mailer.settings)"])
    } else {
        runtime.logger.info("E-mail is not configured (smtp.url is unset): it stays queued")
    }
    return runtime.application(router: try buildRouter(runtime))
}

/// The router: shared middleware, operational routes and the webhooks API; the notify routes come with their issue.
public func buildRouter(_ runtime: ServiceRuntime) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    try NotifyAPIHandler().registerHandlers(on: router, configuration: .atrium)
    return router
}

/// The NotifyAPI contract's handler (no operations yet).
struct NotifyAPIHandler: APIProtocol {}
