import Crypto
import Curl
import Foundation
import Logging
import NIOCore

/// The S3 requests `S3BlobStore` makes, and what it reads from their answers.
extension S3BlobStore {
    /// A multipart upload in progress: its id and the ETags of the parts sent so far.
    struct MultipartUpload: Sendable {
        var key: BlobKey
        var id: String
        var parts: [String] = []
    }

    /// A multipart upload S3 still holds, as ListMultipartUploads names it.
    struct IncompleteUpload: Sendable {
        var key: BlobKey
        var id: String
        var initiated: Date
    }

    func initiateUpload(_ key: BlobKey) async throws -> MultipartUpload {
        let response = try await send(request("POST", key: key, query: [("uploads", "")]), "CreateMultipartUpload")
        guard let id = S3XML.value("UploadId", in: String(buffer: response.body)[...]), !id.isEmpty else {
            throw BlobStoreError.unavailable("S3 CreateMultipartUpload answered without an UploadId")
        }
        return MultipartUpload(key: key, id: id)
    }

    /// Sends `part` as part `number`; its ETag.
    func uploadPart(_ part: ByteBuffer, number: Int, of upload: MultipartUpload) async throws -> String {
        let query = [("partNumber", String(number)), ("uploadId", upload.id)]
        let response = try await send(request("PUT", key: upload.key, query: query, body: part), "UploadPart")
        guard let etag = response.headers["etag"], !etag.isEmpty else {
            throw BlobStoreError.unavailable("S3 UploadPart answered without an ETag")
        }
        return etag
    }

    func completeUpload(_ upload: MultipartUpload) async throws {
        var xml = "<CompleteMultipartUpload>"
        for (index, etag) in upload.parts.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XML.escape(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await send(
            request("POST", key: upload.key, query: [("uploadId", upload.id)], body: ByteBuffer(string: xml)), "CompleteMultipartUpload")
        // S3 may answer 200 and then report a failure in the body.
        if !S3XML.blocks("Error", in: String(buffer: response.body)[...]).isEmpty {
            throw failure("CompleteMultipartUpload", status: response.status, body: response.body)
        }
    }

    /// Aborts `upload`, logging rather than throwing: the caller is failing already, and
    /// `removeAbandoned` removes an upload the abort missed.
    func abortQuietly(_ upload: MultipartUpload) async {
        do {
            _ = try await send(request("DELETE", key: upload.key, query: [("uploadId", upload.id)]), "AbortMultipartUpload",
                               expecting: [200, 204, 404])
        } catch {
            logger.warning("could not abort a failed upload", metadata: ["blob": "\(upload.key)", "error": "\(error)"])
        }
    }

    func putObject(_ key: BlobKey, _ bytes: ByteBuffer) async throws {
        _ = try await send(request("PUT", key: key, body: bytes), "PutObject")
    }

    /// Every multipart upload the bucket holds, page by page.
    func incompleteUploads() async throws -> [IncompleteUpload] {
        var uploads: [IncompleteUpload] = []
        var markers: [(String, String)] = []
        while true {
            let response = try await send(request("GET", key: nil, query: [("uploads", "")] + markers), "ListMultipartUploads")
            let text = String(buffer: response.body)[...]
            for entry in S3XML.blocks("Upload", in: text) {
                // Objects not named by our keys are not ours to judge.
                guard let name = S3XML.value("Key", in: entry), let key = try? BlobKey(name),
                    let id = S3XML.value("UploadId", in: entry),
                    let initiated = S3XML.value("Initiated", in: entry).flatMap(Self.date) else { continue }
                uploads.append(IncompleteUpload(key: key, id: id, initiated: initiated))
            }
            guard S3XML.value("IsTruncated", in: text) == "true", let key = S3XML.value("NextKeyMarker", in: text),
                let id = S3XML.value("NextUploadIdMarker", in: text) else { break }
            let next = [("key-marker", key), ("upload-id-marker", id)]
            guard next.map(\.1) != markers.map(\.1) else { break }
            markers = next
        }
        return uploads
    }

    /// When the latest part of `upload` was written (ListParts, page by page); nil without parts.
    func lastPartWritten(_ upload: IncompleteUpload) async throws -> Date? {
        var latest: Date?
        var marker: [(String, String)] = []
        while true {
            let response = try await send(request("GET", key: upload.key, query: [("uploadId", upload.id)] + marker), "ListParts",
                                          expecting: [200, 404])
            guard response.status == 200 else { return latest }
            let text = String(buffer: response.body)[...]
            for part in S3XML.blocks("Part", in: text) {
                guard let written = S3XML.value("LastModified", in: part).flatMap(Self.date) else { continue }
                latest = max(latest ?? written, written)
            }
            guard S3XML.value("IsTruncated", in: text) == "true", let next = S3XML.value("NextPartNumberMarker", in: text),
                next != marker.first?.1 else { return latest }
            marker = [("part-number-marker", next)]
        }
    }

    // MARK: Requests

    /// A signed request for the bucket, or for `key` in it.
    ///
    /// libcurl 7.x signs the query and headers as given, so the query goes out already in
    /// SigV4's canonical form (sorted, RFC 3986 encoded, `name=` for a bare name) and header
    /// names in lower case. The payload's SHA-256 is always sent: libcurl uses it as the signed
    /// payload hash and S3 checks the body against it.
    func request(
        _ method: String, key: BlobKey?, query: [(String, String)] = [], headers: [(name: String, value: String)] = [],
        body: ByteBuffer? = nil, timeout: Duration? = .seconds(300)
    ) -> CurlRequest {
        var url = settings.endpoint + "/" + settings.bucket
        if let key { url += "/" + key.rawValue }
        if !query.isEmpty {
            url += "?" + query.sorted { $0 < $1 }.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        }
        let payloadHash = (body ?? ByteBuffer()).withUnsafeReadableBytes { SHA256.hash(data: $0) }.hex
        return CurlRequest(
            url: url, method: method, headers: [("x-amz-content-sha256", payloadHash)] + headers, body: body.map { .bytes($0) } ?? .none,
            credentials: CurlCredentials(user: settings.accessKey, password: settings.secretKey),
            awsSigV4: "aws:amz:\(settings.region):s3", timeout: timeout)
    }

    /// Sends `request`, answering the response when its status is one of `expecting`.
    func send(_ request: CurlRequest, _ operation: String, expecting: Set<Int> = [200]) async throws -> CurlResponse {
        let response: CurlResponse
        do {
            response = try await Curl.send(request, answerLimit: 1 << 20)
        } catch let error as CurlError {
            throw BlobStoreError.unavailable("S3 \(operation): \(error)")
        }
        guard expecting.contains(response.status) else { throw failure(operation, status: response.status, body: response.body) }
        return response
    }

    /// The error for an S3 answer: operation, status, and S3's `Code` and `Message` (never the
    /// request, whose headers carry the signature).
    func failure(_ operation: String, status: Int, body: ByteBuffer) -> BlobStoreError {
        let text = String(buffer: body)[...]
        let code = S3XML.value("Code", in: text) ?? "no error code"
        let message = S3XML.value("Message", in: text).map { ": " + $0.prefix(200) } ?? ""
        return .unavailable("S3 \(operation) answered \(status) \(code)\(message)")
    }

    /// RFC 3986 percent-encoding, as SigV4 wants it: all but `A-Z a-z 0-9 - _ . ~`.
    static func encode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte >> 4, radix: 16).uppercased() + String(byte & 0x0f, radix: 16).uppercased()
            }
        }
        return encoded
    }

    /// S3's timestamps: ISO 8601, with or without fractions of a second.
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
