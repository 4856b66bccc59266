import CCurl

/// A transfer libcurl could not complete, with libcurl's own explanation.
///
/// Messages come from libcurl's error buffer, which names hosts and ports but never the
/// credentials (they are options, not part of the URL).
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl's `CURLcode`, or a negative code of ours.
    public let code: Int
    public let message: String
    /// The server's last status or reply code when the transfer failed after it answered (an
    /// SMTP `451` or `535`, say: `CURLINFO_RESPONSE_CODE`); nil when none came.
    public internal(set) var responseCode: Int?
    /// The server's last reply line as it came (`550 5.1.1 No such mailbox`), for the protocols
    /// that answer in numbered lines (SMTP): a server's own explanation, never a request's.
    public internal(set) var reply: String?

    public init(code: Int, message: String, responseCode: Int? = nil, reply: String? = nil) {
        self.code = code
        self.message = message
        self.responseCode = responseCode
        self.reply = reply
    }

    public var description: String { "curl error \(code): \(message)" }

    /// libcurl could not be initialised.
    static let unavailable = CurlError(code: -1, message: "libcurl could not be initialised")
    /// The transfer ended before the body's writer or reader was done with it.
    public static let transferEnded = CurlError(code: -2, message: "the transfer ended")
    /// The answer was larger than the caller allowed.
    static func answerTooLarge(_ limit: Int) -> CurlError {
        CurlError(code: -3, message: "the answer exceeded \(limit) bytes")
    }

    /// The error for `code`, with the message in `buffer` or libcurl's generic text for the code.
    static func from(_ code: CURLcode, buffer: UnsafePointer<CChar>) -> CurlError {
        let detail = String(cString: buffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return CurlError(code: Int(code.rawValue), message: message.trimmingSuffix("\n"))
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
