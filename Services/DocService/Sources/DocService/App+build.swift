public import AtriumRuntime
import Contracts
import DocAPI
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// DocService as the shared runtime sees it.
public func docServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(name: .doc, migrations: DocMigrations.all, document: try DocAPIDocument.yaml(),
                      publishedEventTypes: [EventTypes.docFolderTemplateApplied], enforcesAccountAccess: true)
}

/// Builds DocService: storage, routes and background work, ready to run.
///
/// - Parameters:
///   - directory: where access is checked; AccountService through the local cache unless a test passes its own.
///   - blobs: where document bytes go; the store `blob.store` chooses unless a test passes its own.
public func buildApplication(
    _ configuration: ServiceConfiguration, directory: (any AccountDirectory)? = nil, blobs: (any BlobStore)? = nil,
    logger: Logger? = nil, metrics: PrometheusCollectorRegistry = .init()
) async throws -> some ApplicationProtocol {
    // Built first, so a bad `blob.*` setting stops the service before it opens anything.
    let store: any BlobStore
    if let blobs {
        store = blobs
    } else {
        var storeLogger = logger ?? Logger(label: configuration.service.displayName)
        storeLogger.logLevel = configuration.logLevel
        store = try await BlobStoreSettings.makeStore(configuration, logger: storeLogger)
    }
    let runtime = try await ServiceRuntime.start(configuration, definition: try docServiceDefinition(), logger: logger, metrics: metrics)
    return runtime.application(router: try buildRouter(runtime, directory: directory, blobs: store))
}

/// The router: shared middleware, operational routes, the webhooks API and the folder routes.
///
/// `blobs` is for the document routes (not built yet); the folder routes do not use it.
public func buildRouter(
    _ runtime: ServiceRuntime, directory: (any AccountDirectory)? = nil, blobs: any BlobStore
) throws -> Router<BasicRequestContext> {
    let router = try runtime.makeRouter()
    try DocAPIHandler(database: runtime.database, folders: SQLFolderRepository(forUpdate: runtime.database.forUpdate),
                      directory: try directory ?? runtime.accountDirectory(),
                      templates: FolderTemplates(repository: SQLFolderTemplateRepository(), outbox: runtime.outbox))
        .registerHandlers(on: router, configuration: .atrium)
    return router
}
