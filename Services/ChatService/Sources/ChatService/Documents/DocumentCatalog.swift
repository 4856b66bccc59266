import AtriumRuntime
import DocAPI
import OpenAPIRuntime

/// A DocService document, as a thread's documents tab needs it.
struct CatalogDocument: Sendable, Equatable {
    var id: String
    var accountID: String
    var name: String
    var contentType: String
    var size: Int64
    var uploader: Author
    /// `none`, `view` or `edit`: what the account's contacts may do with it.
    var clientAccess: String

    var contactsMaySee: Bool { clientAccess != "none" }
}

/// Where ChatService checks an attachment: DocService, asked with ChatService's service token.
/// A protocol because the in-process tests answer from memory.
protocol DocumentCatalog: Sendable {
    /// The document; nil when DocService has none by that id.
    func document(_ id: String) async throws -> CatalogDocument?
}

/// `DocumentCatalog` answered by DocService.
struct DocServiceCatalog: DocumentCatalog {
    let client: DocAPI.Client

    init(clients: ServiceClients) throws {
        client = DocAPI.Client(serverURL: try clients.url(of: .doc), transport: clients.transport, middlewares: clients.middlewares(for: .doc))
    }

    func document(_ id: String) async throws -> CatalogDocument? {
        let output: Operations.GetDocument.Output
        do {
            output = try await client.getDocument(path: .init(documentId: id))
        } catch {
            throw RuntimeError.unavailable("DocService cannot be reached to check an attachment; try again shortly.")
        }
        switch output {
        case .ok(let ok):
            let document = try ok.body.json
            return CatalogDocument(
                id: document.id, accountID: document.accountId, name: document.name, contentType: document.contentType,
                size: document.size, uploader: Author(id: document.uploadedBy.id, kind: document.uploadedBy.kind.rawValue),
                clientAccess: document.clientAccess.rawValue)
        case .default(statusCode: 404, _):
            return nil
        case .default(let status, _):
            throw RuntimeError.unavailable("DocService answered \(status) when asked about a document.")
        }
    }
}
