import AccountAPI
import Contracts
public import AtriumRuntime
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// AccountService as the shared runtime sees it.
public func accountServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(
        name: .account, migrations: AccountMigrations.all, document: try AccountAPIDocument.yaml(),
        publishedEventTypes: [
            EventTypes.accountTagsUpdated, EventTypes.accountAccessUpdated, EventTypes.accountMemberUpdated,
            EventTypes.accountFirmSettingsUpdated, EventTypes.accountInvitationCreated,
        ])
}

/// Builds AccountService: storage, routes and background work, ready to run.
public func buildApplication(
    _ configuration: ServiceConfiguration, logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    let signer = try await TokenSigner(configuration)
    let runtime = try await ServiceRuntime.start(
        configuration, definition: try accountServiceDefinition(), logger: logger, metrics: metrics,
        verificationKeys: signer.publicKeys)
    return runtime.application(router: try await buildRouter(runtime, signer: signer))
}

/// The router: shared middleware and operational routes, the webhooks API and the directory API.
public func buildRouter(_ runtime: ServiceRuntime, signer: TokenSigner) async throws -> Router<BasicRequestContext> {
    let accountSecret = runtime.configuration.accountSecret ?? ""
    let router = try runtime.makeRouter()
    let forUpdate = runtime.database.forUpdate
    let directory = SQLDirectoryRepository(forUpdate: forUpdate)
    let people = SQLPeopleRepository()
    let credentials = SQLCredentialRepository(forUpdate: forUpdate)
    let limits = try SignInLimits(reader: runtime.configuration.reader)
    let hasher = PasswordHasher(
        cost: limits.hashCost, limiter: HashingLimiter(slots: limits.hashConcurrency, queue: limits.hashQueue))
    let sessions = Sessions(
        database: runtime.database, directory: directory, people: people, credentials: credentials, signer: signer,
        hasher: hasher, dummyHash: try await hasher.hash(Sessions.randomToken()),
        invitationKey: Sessions.invitationKey(from: accountSecret), limits: SignInGuard(limits))
    try AccountAPIHandler(
        database: runtime.database, outbox: runtime.outbox, directory: directory, people: people, credentials: credentials,
        tags: SQLTagRepository(forUpdate: forUpdate), sessions: sessions, cache: runtime.directoryCache,
        accountSecret: accountSecret
    ).registerHandlers(on: router, configuration: .atrium)
    return router
}

extension TokenSigner {
    /// The signer AccountService's configuration describes.
    public init(_ configuration: ServiceConfiguration) async throws {
        try await self.init(accountSecret: configuration.accountSecret ?? "", signingKeys: configuration.signingKeys,
                            lifetime: configuration.accessTokenLifetime)
    }
}
