public import CCurl
public import NIOCore

/// One transfer for libcurl to make: where, how, with what body and credentials.
///
/// Credentials go to libcurl as options (`CURLOPT_USERNAME`, `CURLOPT_PASSWORD`), never into
/// the URL, so neither the URL nor curl's error messages carry them.
public struct CurlRequest: Sendable {
    public var url: String
    /// `GET`, `HEAD`, `PUT`, `POST`, `DELETE`, …; nil for libcurl's default: a download, or an
    /// upload when there is a body (an HTTP PUT, or the message of an SMTP transfer).
    public var method: String?
    /// Header lines as sent; AWS SigV4 signs every header given here, so give names in lower case.
    public var headers: [(name: String, value: String)]
    public var body: CurlRequestBody
    public var credentials: CurlCredentials?
    /// `CURLOPT_AWS_SIGV4`, e.g. `aws:amz:us-east-1:s3`: libcurl signs the request with `credentials`.
    public var awsSigV4: String?
    /// Protocols the transfer may use (`CURLOPT_PROTOCOLS_STR`).
    public var protocols: String
    public var connectTimeout: Duration
    /// The whole transfer's limit; nil for none (streamed downloads go at their reader's pace).
    public var timeout: Duration?
    /// Further options, for protocols beyond plain HTTP (e.g. SMTP's `CURLOPT_MAIL_RCPT`).
    public var options: [CurlOption]

    public init(
        url: String, method: String? = nil, headers: [(name: String, value: String)] = [], body: CurlRequestBody = .none,
        credentials: CurlCredentials? = nil, awsSigV4: String? = nil, protocols: String = "http,https",
        connectTimeout: Duration = .seconds(10), timeout: Duration? = .seconds(300), options: [CurlOption] = []
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.credentials = credentials
        self.awsSigV4 = awsSigV4
        self.protocols = protocols
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.options = options
    }
}

/// What a request sends.
public enum CurlRequestBody: Sendable {
    case none
    /// Bytes in memory, sent with a `Content-Length` (and re-sent if libcurl must rewind).
    case bytes(ByteBuffer)
    /// Bytes written as libcurl sends them, never more than `Curl.streamBuffer`
    /// ahead: `produce` writes and returns; a thrown error aborts the transfer and is rethrown.
    /// Without a `length` HTTP/1.1 sends the body chunked.
    case stream(length: Int64?, produce: @Sendable (CurlBodyWriter) async throws -> Void)
}

/// The writing end of a streamed request body.
public struct CurlBodyWriter: Sendable {
    let channel: ByteChannel

    /// Queues `chunk`, waiting while the transfer is that far behind.
    /// - Throws: `CurlError.transferEnded` when the transfer ended (failed or cancelled) first.
    public func write(_ chunk: ByteBuffer) async throws {
        guard await channel.push(chunk) else { throw CurlError.transferEnded }
    }
}

/// A user name and password for libcurl; the description never shows the password.
public struct CurlCredentials: Sendable, CustomStringConvertible {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public var description: String { "CurlCredentials(user: \(user), password: redacted)" }
}

/// A libcurl option not covered by `CurlRequest`'s fields.
public enum CurlOption: @unchecked Sendable {
    case long(CURLoption, Int)
    case string(CURLoption, String)
    /// A `curl_slist` option (e.g. `CURLOPT_MAIL_RCPT`).
    case strings(CURLoption, [String])
}
