public import AtriumRuntime
public import Configuration
import Foundation
public import Logging

/// Where an S3-compatible bucket is and the keys to sign for it; the description hides the secret.
public struct S3Settings: Sendable, CustomStringConvertible {
    /// `http(s)://host[:port]` without a trailing slash, e.g. `https://s3.eu-west-1.amazonaws.com`.
    public var endpoint: String
    public var bucket: String
    public var region: String
    public var accessKey: String
    public var secretKey: String
    /// Bytes per multipart part, the most an upload holds in memory (S3's minimum is 5 MiB).
    public var partSize: Int

    public static let defaultPartSize = 8 * 1024 * 1024

    public init(endpoint: String, bucket: String, region: String = "us-east-1", accessKey: String, secretKey: String,
                partSize: Int = defaultPartSize) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.bucket = bucket
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.partSize = partSize
    }

    public var description: String {
        "S3Settings(endpoint: \(endpoint), bucket: \(bucket), region: \(region), accessKey: \(accessKey), secretKey: redacted)"
    }
}

/// DocService's blob store as its settings choose it.
///
/// `blob.store` is `file` (default: `<data.dir>/blobs`) or `s3`, which reads `blob.s3.endpoint`,
/// `blob.s3.bucket`, `blob.s3.region` (default `us-east-1`), `blob.s3.access.key` and
/// `blob.s3.secret.key` (secret). Anything missing or malformed stops the service at start-up.
/// `blob.s3.create.bucket` (`false` by default) creates the bucket at start-up when it is missing,
/// for a store the deployment runs itself (compose's); a bucket elsewhere is made by its owner.
public enum BlobStoreSettings {
    public static func makeStore(_ configuration: ServiceConfiguration, logger: Logger) async throws -> any BlobStore {
        let reader = configuration.reader
        switch reader.string(forKey: "blob.store", default: "file") {
        case "file":
            return try await LocalBlobStore(root: configuration.dataDirectory + "/blobs")
        case "s3":
            let store = S3BlobStore(settings: try s3Settings(reader), logger: logger)
            if try ServiceConfiguration.flag(reader, "blob.s3.create.bucket", default: false) {
                try await store.createBucket()
            }
            return store
        case let other:
            throw ConfigurationError.invalid(key: "blob.store", why: "must be file or s3, not \"\(other)\"")
        }
    }

    /// The `blob.s3.*` settings, checked.
    public static func s3Settings(_ reader: ConfigReader) throws -> S3Settings {
        let required = { (key: String, secret: Bool) throws -> String in
            guard let value = reader.string(forKey: ConfigKey(key), isSecret: secret), !value.isEmpty else {
                throw ConfigurationError.missing(key: key)
            }
            return value
        }
        let endpoint = try required("blob.s3.endpoint", false)
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme), url.host != nil,
            url.query == nil, url.user == nil else {
            throw ConfigurationError.invalid(key: "blob.s3.endpoint", why: "must be an http:// or https:// URL without credentials or query")
        }
        let bucket = try required("blob.s3.bucket", false)
        guard isBucketName(bucket) else {
            throw ConfigurationError.invalid(key: "blob.s3.bucket", why: "must be 3-63 lower-case letters, digits, dots and hyphens")
        }
        let region = reader.string(forKey: "blob.s3.region", default: "us-east-1")
        guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw ConfigurationError.invalid(key: "blob.s3.region", why: "must be a region name such as eu-west-1")
        }
        return S3Settings(endpoint: endpoint, bucket: bucket, region: region, accessKey: try required("blob.s3.access.key", false),
                          secretKey: try required("blob.s3.secret.key", true))
    }

    /// S3's rules for a bucket name (the path-style URL carries it unencoded).
    static func isBucketName(_ name: String) -> Bool {
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        return (3...63).contains(name.count) && allowed && name.first != "." && name.first != "-" && name.last != "." && name.last != "-"
    }
}
