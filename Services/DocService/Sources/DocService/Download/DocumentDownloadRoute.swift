import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/documents/{documentId}/content`: the bytes, streamed from the blob store, with the
/// sniffed content type, a safe attachment name, the SHA-256 as `ETag` (`If-None-Match` → 304)
/// and single byte ranges (206, or 416 past the end).
struct DocumentDownloadRoute: Sendable {
    static let path = "/v1/documents/{documentId}/content"

    let lookup: DocumentLookup
    let blobs: any BlobStore

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.path)) { request, context in try await handle(request, context: context) }
    }

    func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let (document, _) = try await lookup.visible(try context.parameters.require("documentId"))
        let etag = "\"\(document.sha256)\""
        var headers: HTTPFields = [.eTag: etag, .acceptRanges: "bytes", .cacheControl: "private, no-cache"]
        if let match = request.headers[.ifNoneMatch], Self.matches(match, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        var range: ClosedRange<Int64>?
        if let asked = ByteRange(header: request.headers[.range]) {
            guard let resolved = asked.resolve(size: document.size) else { return Self.unsatisfiable(document.size) }
            range = resolved
        }
        let content: BlobContent
        do {
            content = try await blobs.get(try BlobKey(document.blobKey), range: range)
        } catch BlobStoreError.rangeNotSatisfiable(let size) {
            return Self.unsatisfiable(size)
        } catch BlobStoreError.notFound {
            throw DocError.contentMissing(document.id)
        }
        headers[.contentType] = document.contentType
        headers[.contentDisposition] = ContentDisposition.attachment(document.name)
        headers[.contentLength] = String(content.range.count)
        if let noSniff = HTTPField.Name("X-Content-Type-Options") { headers[noSniff] = "nosniff" }
        var status = HTTPResponse.Status.ok
        if range != nil {
            status = .partialContent
            headers[.contentRange] = "bytes \(content.range.lowerBound)-\(content.range.upperBound - 1)/\(content.size)"
        }
        return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: content.chunks))
    }

    /// Whether `If-None-Match` names this ETag (weak or strong) or is `*`.
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains { tag in
            tag == "*" || tag == etag || tag == "W/\(etag)"
        }
    }

    private static func unsatisfiable(_ size: Int64) -> Response {
        var response = DocError.rangeNotSatisfiable(size).problem.response(requestID: RequestScope.current?.requestID)
        response.headers[.contentRange] = "bytes */\(size)"
        return response
    }
}
