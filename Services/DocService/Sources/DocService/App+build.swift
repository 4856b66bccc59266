public import AtriumRuntime
import Contracts
import DocAPI
import Configuration
import Contracts
import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
public import Prometheus

/// DocService as the shared runtime sees it.
public func docServiceDefinition() throws -> ServiceDefinition {
    ServiceDefinition(
        name: .doc, migrations: DocMigrations.all, document: try DocAPIDocument.yaml(),
        publishedEventTypes: [EventTypes.docDocumentUploaded, EventTypes.docDocumentDeleted, EventTypes.docFolderTemplateApplied],
        enforcesAccountAccess: true)
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
    try await buildApplication(configuration, directory: directory, blobs: blobs, threads: nil, logger: logger, metrics: metrics)
}

/// `threads` answers whether an upload's thread belongs to its account; ChatService unless a test passes its own.
func buildApplication(
    _ configuration: ServiceConfiguration, directory: (any AccountDirectory)?, blobs: (any BlobStore)?, threads: (any ThreadCheck)?,
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
    let sweep = DocumentSweep(database: runtime.database, documents: DocumentRepository(forUpdate: runtime.database.forUpdate), blobs: store,
                              spool: UploadSpool(dataDirectory: configuration.dataDirectory))
    let settings = try DocSettings(reader: configuration.reader)
    try await DocumentSweepJob.scheduleNext(runtime.database, after: EpochMillis.now(), every: settings.sweepEvery)
    return runtime.application(
        router: try buildRouter(runtime, directory: directory, blobs: store, threads: threads),
        jobs: DocumentSweepJob.handlers(sweep, age: settings.sweepAge, every: settings.sweepEvery))
}

/// DocService's own settings.
struct DocSettings: Sendable {
    /// `documents.max.upload.bytes`: the largest upload request (all its files), 2 GiB by default.
    var maxUploadBytes: Int
    /// `zip.max.entries`, `zip.max.bytes`, `zip.max.ratio`: what an uploaded zip may hold.
    var zipLimits: ZipLimits
    /// `documents.sweep.age.seconds`: how long an upload may sit unfinished before the sweep takes
    /// it for dead (a day by default: a live upload finishes or fails well before).
    var sweepAge: Duration
    /// `documents.sweep.every.seconds`: how often the sweep runs (hourly by default).
    var sweepEvery: Duration

    init(reader: ConfigReader) throws {
        maxUploadBytes = try ServiceConfiguration.integer(reader, "documents.max.upload.bytes", default: 2 << 30, in: 1...(1 << 50))
        zipLimits = try ZipLimits(reader: reader)
        sweepAge = .seconds(try ServiceConfiguration.integer(reader, "documents.sweep.age.seconds", default: 86_400, in: 1...(366 * 86_400)))
        sweepEvery = .seconds(try ServiceConfiguration.integer(reader, "documents.sweep.every.seconds", default: 3_600, in: 1...86_400))
    }
}

/// The router: shared middleware, operational routes, the webhooks API and the folder routes.
///
/// Uploads and downloads are streaming routes registered before the generated ones, which skip them.
public func buildRouter(
    _ runtime: ServiceRuntime, directory: (any AccountDirectory)? = nil, blobs: any BlobStore
) throws -> Router<BasicRequestContext> {
    try buildRouter(runtime, directory: directory, blobs: blobs, threads: nil)
}

func buildRouter(
    _ runtime: ServiceRuntime, directory: (any AccountDirectory)?, blobs: any BlobStore, threads: (any ThreadCheck)?
) throws -> Router<BasicRequestContext> {
    let settings = try DocSettings(reader: runtime.configuration.reader)
    let router = try runtime.makeRouter(streamedBodies: [
        StreamedBodyRoute(method: .post, path: DocumentUploadRoute.path, maxBytes: settings.maxUploadBytes),
        StreamedBodyRoute(method: .post, path: DocumentUploadRoute.defaultFolderPath, maxBytes: settings.maxUploadBytes),
    ])
    let database = runtime.database
    let directory = try directory ?? runtime.accountDirectory()
    let folders = SQLFolderRepository(forUpdate: database.forUpdate)
    let documents = DocumentRepository(forUpdate: database.forUpdate)
    DocumentUploadRoute(database: database, outbox: runtime.outbox, folders: folders, documents: documents, blobs: blobs,
                        directory: directory, maxBytes: settings.maxUploadBytes,
                        spool: UploadSpool(dataDirectory: runtime.configuration.dataDirectory), zipLimits: settings.zipLimits,
                        threads: try threads ?? ChatServiceThreadCheck(clients: runtime.clients))
        .register(on: router)
    DocumentDownloadRoute(lookup: DocumentLookup(documents: documents, directory: directory, database: database), blobs: blobs)
        .register(on: router)
    let transport = SkippingTransport(router: router, skipped: [
        (.post, DocumentUploadRoute.path), (.post, DocumentUploadRoute.defaultFolderPath), (.get, DocumentDownloadRoute.path),
    ])
    try DocAPIHandler(database: database, outbox: runtime.outbox, folders: folders, documents: documents, blobs: blobs, directory: directory,
                      templates: FolderTemplates(repository: SQLFolderTemplateRepository(), outbox: runtime.outbox))
        .registerHandlers(on: transport, configuration: .atrium)
    return router
}
