import Foundation
public import Logging
import OpenAPIRuntime

/// Takes credentials out of log text: bearer tokens and JWTs, cookies and other credential
/// headers, webhook signatures and secrets, bcrypt hashes, and password or token fields of JSON
/// bodies and of dumped Swift values. Every service's log handler runs every line through it
/// (`RedactingLogHandler`), whoever wrote the line: our code, Hummingbird, SQLKit, AsyncHTTPClient.
public enum LogRedaction {
    static let mask = "<redacted>"

    /// Metadata keys whose whole value is dropped. SQL `binds` hold password hashes and event
    /// payloads (an invitation's token), so bind values never reach a log.
    static let sensitiveKeys: Set<String> = [
        "binds", "authorization", "proxy-authorization", "cookie", "set-cookie", "webhook-signature", "password",
        "token", "refresh_token", "refreshtoken", "access_token", "accesstoken", "secret", "jwt.secret",
    ]

    // Matching is read-only, so sharing the compiled expressions between threads is safe.
    private static let rules: [(NSRegularExpression, String)] = [
        // Credential headers as dumped by HTTPFields ("name: value; …") or by NIO ("("name", "value")").
        (#"(?i)\b(authorization|proxy-authorization|cookie|set-cookie|webhook-signature|x-api-key)(\"?\s*[:=,]\s*\"?)[^;\]\n"]*"#, "$1$2" + mask),
        (#"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"#, "Bearer " + mask),
        (#"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"#, mask),
        (#"\bwhsec_[A-Za-z0-9+/=]+"#, "whsec_" + mask),
        (#"\bv1,[A-Za-z0-9+/=]{16,}"#, "v1," + mask),
        (#"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}"#, mask),
        // JSON fields ("password":"…") and Swift dumps (password: "…", token: Optional("…")).
        (#"(?i)(\"?\b(?:password|passwordHash|token|tokenHash|refreshToken|accessToken|secret)\b\"?\s*[:=]\s*(?:Optional\()?)\"(?:[^\"\\]|\\.)*\""#, "$1\"" + mask + "\""),
    ].compactMap { pattern, template in (try? NSRegularExpression(pattern: pattern)).map { ($0, template) } }

    /// Every rule matches text holding one of these (compared lower-cased). Most log values (a
    /// method, a path, a status, a duration) hold none, and skip the regular expressions: they
    /// would otherwise run seven times on every value of every request's line.
    static let triggers: [[UInt8]] = ["authorization", "cookie", "signature", "x-api-key", "bearer", "eyj", "whsec_", "v1,", "$2",
                                      "password", "token", "secret"].map { Array($0.utf8) }

    /// Whether `text` may hold a credential; false means `scrub` would change nothing. A byte scan
    /// (ASCII case folded), not Foundation's string search: it runs on every value of every line.
    static func mayHoldCredential(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        for index in bytes.indices where (65...90).contains(bytes[index]) { bytes[index] |= 0x20 }
        return triggers.contains { bytes.firstRange(of: $0) != nil }
    }

    /// `text` with every credential replaced by `<redacted>`.
    public static func scrub(_ text: String) -> String {
        guard mayHoldCredential(text) else { return text }
        var result = text
        for (expression, template) in rules {
            let range = NSRange(result.startIndex..., in: result)
            result = expression.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }

    /// A metadata value with every credential taken out.
    public static func scrub(_ value: Logger.MetadataValue, key: String? = nil) -> Logger.MetadataValue {
        if let key, sensitiveKeys.contains(key.lowercased()) { return .string(mask) }
        switch value {
        case .string(let text): return .string(scrub(text))
        case .stringConvertible(let convertible): return .string(scrub(convertible.description))
        case .array(let values): return .array(values.map { scrub($0) })
        case .dictionary(let values): return .dictionary(scrub(values))
        }
    }

    public static func scrub(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Dictionary(uniqueKeysWithValues: metadata.map { ($0.key, scrub($0.value, key: $0.key)) })
    }

    /// What to log about an error: its kind and cause, never the request, its headers or its
    /// decoded input (an `OpenAPIRuntime.ServerError` carries all three, passwords included).
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ServerError:
            return "ServerError(operation: \(error.operationID), cause: \(scrub(error.causeDescription)), underlying: \(describe(error.underlyingError)))"
        case let error as ClientError:
            return "ClientError(operation: \(error.operationID), cause: \(scrub(error.causeDescription)), underlying: \(describe(error.underlyingError)))"
        default:
            return "\(type(of: error)): \(scrub(String(reflecting: error)))"
        }
    }
}
