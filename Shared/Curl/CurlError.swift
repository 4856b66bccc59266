import CCurl

/// A transfer libcurl could not complete, with libcurl's own explanation.
///
/// Messages come from libcurl's error buffer, which names hosts and ports but never the
/// credentials (they are options, not part of the URL).
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl's `CURLcode`, or a negative code of ours.
    public let code: Int
    public let message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
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
