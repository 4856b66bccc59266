public import HTTPTypes
public import Hummingbird

/// A route whose handler reads the request body as a stream (document uploads): the body limit
/// and the idempotency middleware leave its body alone, and `maxBytes` replaces the service's
/// small limit for it. The handler must enforce `maxBytes` on a chunked body itself.
public struct StreamedBodyRoute: Sendable {
    public var method: HTTPRequest.Method
    /// The path template, a `{name}` segment matching any one segment.
    public var path: String
    public var maxBytes: Int

    public init(method: HTTPRequest.Method, path: String, maxBytes: Int) {
        self.method = method
        self.path = path
        self.maxBytes = maxBytes
    }

    /// Whether `request` is for this route (its query ignored).
    public func matches(_ request: Request) -> Bool {
        guard request.method == method else { return false }
        let concrete = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
        let pattern = path.split(separator: "/", omittingEmptySubsequences: false)
        return concrete.count == pattern.count && zip(concrete, pattern).allSatisfy { segment, expected in
            expected.hasPrefix("{") && expected.hasSuffix("}") ? !segment.isEmpty : segment == expected
        }
    }
}

extension [StreamedBodyRoute] {
    /// The streamed route `request` is for, if any.
    func route(for request: Request) -> StreamedBodyRoute? {
        first { $0.matches(request) }
    }
}
