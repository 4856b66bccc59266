import Crypto
import Curl
public import Foundation
public import Logging
public import NIOCore

/// Blobs as objects of one S3-compatible bucket (AWS S3, MinIO, moto), over libcurl.
///
/// libcurl signs every request (`CURLOPT_AWS_SIGV4`); URLs are path-style
/// (`<endpoint>/<bucket>/<key>`), which every S3-compatible server accepts. A body longer than
/// one part goes up as a multipart upload, one part in memory at a time, and becomes the object
/// only when S3 completes the upload; any failure aborts it. `get` streams the object, with
/// `Range:` for a part of it.
public struct S3BlobStore: BlobStore {
    public let settings: S3Settings
    let logger: Logger

    public init(settings: S3Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    public func put<Body: AsyncSequence>(_ key: BlobKey, body: Body) async throws -> StoredBlob where Body.Element == ByteBuffer {
        var hasher = SHA256()
        var size: Int64 = 0
        var part = ByteBuffer()
        var upload: MultipartUpload?
        do {
            for try await var chunk in body {
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                size += Int64(chunk.readableBytes)
                while let slice = chunk.readSlice(length: min(chunk.readableBytes, settings.partSize - part.readableBytes)),
                    slice.readableBytes > 0 {
                    part.writeImmutableBuffer(slice)
                    guard part.readableBytes == settings.partSize else { continue }
                    var current: MultipartUpload
                    if let upload { current = upload } else { current = try await initiateUpload(key) }
                    upload = current  // from here on, a failure aborts it
                    current.parts.append(try await uploadPart(part, number: current.parts.count + 1, of: current))
                    upload = current
                    part.clear()
                }
            }
            if var upload {
                if part.readableBytes > 0 { upload.parts.append(try await uploadPart(part, number: upload.parts.count + 1, of: upload)) }
                try await completeUpload(upload)
            } else {
                try await putObject(key, part)
            }
            return StoredBlob(key: key, size: size, sha256: hasher.finalize().hex)
        } catch {
            if let upload {
                // Not cancellable: a cancelled upload is aborted all the same.
                await Task { await abortQuietly(upload) }.value
            }
            throw error
        }
    }

    public func get(_ key: BlobKey, range: ClosedRange<Int64>?) async throws -> BlobContent {
        if let range, range.lowerBound < 0 { throw BlobStoreError.rangeNotSatisfiable(size: try await size(of: key)) }
        let headers = range.map { [(name: "range", value: "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
        let response: CurlStreamingResponse
        do {
            response = try await Curl.stream(request("GET", key: key, headers: headers, timeout: nil))
        } catch let error as CurlError {
            throw BlobStoreError.unavailable("S3 GetObject: \(error)")
        }
        switch response.status {
        case 200:
            guard let size = response.headers["content-length"].flatMap({ Int64($0) }) else {
                throw BlobStoreError.unavailable("S3 GetObject answered without Content-Length")
            }
            // A server may answer a range that covers the whole object with all of it.
            guard try BlobContent.offsets(of: range, size: size) == 0..<size else {
                throw BlobStoreError.unavailable("S3 GetObject ignored the Range header")
            }
            return BlobContent(size: size, range: 0..<size, chunks: BlobChunks(source: S3Chunks(response.body)))
        case 206:
            guard let (offsets, size) = response.headers["content-range"].flatMap(Self.contentRange) else {
                throw BlobStoreError.unavailable("S3 GetObject answered 206 without a usable Content-Range")
            }
            return BlobContent(size: size, range: offsets, chunks: BlobChunks(source: S3Chunks(response.body)))
        case 416:
            throw BlobStoreError.rangeNotSatisfiable(size: try await size(of: key))
        default:
            let body = (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer()
            if response.status == 404, S3XML.value("Code", in: String(buffer: body)[...]) == "NoSuchKey" {
                throw BlobStoreError.notFound(key)
            }
            throw failure("GetObject", status: response.status, body: body)
        }
    }

    public func delete(_ key: BlobKey) async throws {
        _ = try await send(request("DELETE", key: key), "DeleteObject", expecting: [200, 204, 404])
    }

    public func removeAbandoned(before cutoff: Date) async throws -> Int {
        var removed = 0
        for upload in try await incompleteUploads() where upload.initiated < cutoff {
            // A long upload still sending parts is not abandoned, however long ago it began.
            if let written = try await lastPartWritten(upload), written >= cutoff { continue }
            _ = try await send(request("DELETE", key: upload.key, query: [("uploadId", upload.id)]), "AbortMultipartUpload",
                               expecting: [200, 204, 404])
            logger.notice("removed an abandoned upload", metadata: ["blob": "\(upload.key)", "initiated": "\(upload.initiated)"])
            removed += 1
        }
        return removed
    }

    /// Creates the bucket; one that exists and is ours already is fine.
    public func createBucket() async throws {
        var body: ByteBuffer?
        if settings.region != "us-east-1" {
            body = ByteBuffer(string: "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(S3XML.escape(settings.region))</LocationConstraint></CreateBucketConfiguration>")
        }
        let response = try await send(request("PUT", key: nil, body: body), "CreateBucket", expecting: [200, 409])
        if response.status == 409, S3XML.value("Code", in: String(buffer: response.body)[...]) != "BucketAlreadyOwnedByYou" {
            throw failure("CreateBucket", status: 409, body: response.body)
        }
    }

    /// The object's size (a HEAD request).
    func size(of key: BlobKey) async throws -> Int64 {
        let response = try await send(request("HEAD", key: key), "HeadObject", expecting: [200, 404])
        guard response.status == 200 else { throw BlobStoreError.notFound(key) }
        guard let size = response.headers["content-length"].flatMap({ Int64($0) }) else {
            throw BlobStoreError.unavailable("S3 HeadObject answered without Content-Length")
        }
        return size
    }

    /// `bytes <first>-<last>/<size>` as offsets and the size.
    static func contentRange(_ value: String) -> (Range<Int64>, Int64)? {
        guard value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(separator: "/")
        let bounds = parts.first?.split(separator: "-") ?? []
        guard parts.count == 2, bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]),
            let size = Int64(parts[1]), first <= last, last < size else { return nil }
        return (first..<(last + 1), size)
    }
}

/// An object's bytes as libcurl receives them.
private final class S3Chunks: BlobChunkSource, @unchecked Sendable {
    // One reader at a time (BlobChunks is iterated once); the iterator's state lives in the body.
    private var iterator: CurlResponseBody.AsyncIterator

    init(_ body: CurlResponseBody) {
        iterator = body.makeAsyncIterator()
    }

    func next() async throws -> ByteBuffer? {
        do {
            return try await iterator.next()
        } catch let error as CurlError {
            throw BlobStoreError.unavailable("S3 GetObject: \(error)")
        }
    }
}
