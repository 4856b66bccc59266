import CCurl
import NIOCore

/// One e-mail for libcurl to hand to an SMTP server: the envelope, the message and the connection.
///
/// The message is sent as given (libcurl only dot-stuffs it), so it must already be an RFC 5322
/// message with CRLF line ends. Credentials go to libcurl as options, never into the URL.
public struct SMTPTransfer: Sendable {
    /// `smtp://host[:port]` (STARTTLS as `tls` says) or `smtps://host[:port]` (TLS from the first
    /// byte), without credentials; a path names the domain said in `EHLO` (default `localhost`).
    public var url: String
    /// The envelope sender (`MAIL FROM`), where bounces go: a bare address.
    public var sender: String
    /// The envelope recipients (`RCPT TO`), bare addresses; the server must accept every one.
    public var recipients: [String]
    /// The message, RFC 5322 with CRLF line ends.
    public var message: [UInt8]
    public var credentials: CurlCredentials?
    public var tls: SMTPTLS
    /// A PEM file of the certificate authorities to trust instead of the system's (a private relay's CA).
    public var caFile: String?
    public var connectTimeout: Duration
    /// The whole conversation's limit.
    public var timeout: Duration

    public init(
        url: String, sender: String, recipients: [String], message: [UInt8], credentials: CurlCredentials? = nil,
        tls: SMTPTLS = .optional, caFile: String? = nil, connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.sender = sender
        self.recipients = recipients
        self.message = message
        self.credentials = credentials
        self.tls = tls
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// Whether an `smtp://` connection is upgraded with STARTTLS (`CURLOPT_USE_SSL`); `smtps://` is
/// encrypted from the start whatever this says.
public enum SMTPTLS: String, Sendable, CaseIterable {
    /// Plain text throughout, even when the server offers STARTTLS (`CURLUSESSL_NONE`).
    case off
    /// STARTTLS when the server offers it, plain text when it does not (`CURLUSESSL_TRY`). A server
    /// that offers it but fails the handshake or the certificate check fails the transfer.
    case optional
    /// STARTTLS or nothing: without it the transfer fails before any credential or message is sent
    /// (`CURLUSESSL_ALL`).
    case required

    var curlValue: Int {
        switch self {
        case .off: Int(CURLUSESSL_NONE.rawValue)
        case .optional: Int(CURLUSESSL_TRY.rawValue)
        case .required: Int(CURLUSESSL_ALL.rawValue)
        }
    }
}

extension Curl {
    /// Sends `transfer`'s message to its recipients, on a thread of its own like every transfer.
    ///
    /// - Throws: `CurlError` when the server did not take the message: its `responseCode` is the
    ///   server's last reply code (`451`, `535`, `550`…) and `reply` that reply's line, both nil
    ///   when no reply came (no connection, a TLS failure); an envelope address with a control
    ///   character is refused before anything is sent. `CancellationError` when cancelled.
    public static func send(_ transfer: SMTPTransfer) async throws {
        // libcurl writes the addresses into SMTP command lines: a CR or LF would start a new command.
        for address in [transfer.sender] + transfer.recipients where address.unicodeScalars.contains(where: isControl) {
            throw CurlError(code: -5, message: "an envelope address holds a control character")
        }
        guard !transfer.recipients.isEmpty else { throw CurlError(code: -5, message: "an e-mail needs a recipient") }
        var options: [CurlOption] = [
            .string(CURLOPT_MAIL_FROM, transfer.sender),
            .strings(CURLOPT_MAIL_RCPT, transfer.recipients),
            .long(CURLOPT_USE_SSL, transfer.url.lowercased().hasPrefix("smtps:") ? SMTPTLS.required.curlValue : transfer.tls.curlValue),
        ]
        if let caFile = transfer.caFile { options.append(.string(CURLOPT_CAINFO, caFile)) }
        let request = CurlRequest(
            url: transfer.url, body: .bytes(ByteBuffer(bytes: transfer.message)), credentials: transfer.credentials, protocols: "smtp,smtps",
            connectTimeout: min(transfer.connectTimeout, transfer.timeout), timeout: transfer.timeout, options: options)
        // An SMTP transfer answers no body: its success is the server's 250 to the message.
        _ = try await send(request, answerLimit: 64 * 1024)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7f
    }
}
