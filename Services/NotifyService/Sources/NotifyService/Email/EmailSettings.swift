import AtriumRuntime
import Configuration
import Foundation

/// How NotifyService's e-mail is composed and retried: `portal.url` (where links in e-mails start),
/// `email.retry.base.ms` and `email.retry.max.ms` (back-off while the SMTP server is down or
/// answers 4xx), `email.max.attempts` (then the e-mail is `failed`) and `email.lease.seconds` (how
/// long one attempt holds its e-mail; after a crash, when another replica or the restarted service
/// may take it up — longer than `smtp.timeout.seconds`, which bounds an attempt).
struct EmailSettings: Sendable {
    var portalURL: String?
    var retry: JobRetryPolicy
    var maxAttempts: Int
    /// `smtp.connections`: SMTP conversations at once.
    var connections: Int

    init(portalURL: String? = nil, retry: JobRetryPolicy = JobRetryPolicy(base: .seconds(30), maxDelay: .seconds(3600), lease: .seconds(120)),
         maxAttempts: Int = 10, connections: Int = 4) {
        self.portalURL = portalURL
        self.retry = retry
        self.maxAttempts = maxAttempts
        self.connections = connections
    }

    init(_ configuration: ServiceConfiguration) throws {
        let reader = configuration.reader
        var portal = reader.string(forKey: "portal.url")?.trimmingCharacters(in: .whitespaces)
        if let text = portal, !text.isEmpty {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.query == nil else {
                throw ConfigurationError.invalid(key: "portal.url", why: "must be an http:// or https:// URL without a query")
            }
            while portal?.hasSuffix("/") == true { portal?.removeLast() }
        } else {
            portal = nil
        }
        let integer = { (key: String, value: Int, range: ClosedRange<Int>) in
            try ServiceConfiguration.integer(reader, key, default: value, in: range)
        }
        self.init(
            portalURL: portal,
            retry: JobRetryPolicy(base: .milliseconds(try integer("email.retry.base.ms", 30_000, 1...3_600_000)),
                                  maxDelay: .milliseconds(try integer("email.retry.max.ms", 3_600_000, 1...86_400_000)),
                                  lease: .seconds(try integer("email.lease.seconds", 120, 2...3600))),
            maxAttempts: try integer("email.max.attempts", 10, 1...10_000),
            connections: try integer("smtp.connections", 4, 1...100))
    }

    /// Where the portal (or the app) shows a thread.
    func link(thread: String?) -> String? {
        guard let portalURL else { return nil }
        guard let thread else { return portalURL }
        return "\(portalURL)/threads/\(thread)"
    }

    /// Where an invitation is accepted.
    func invitationLink(token: String) -> String {
        // RFC 3986 unreserved characters stay as they are; anything else is percent-encoded.
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let escaped = token.addingPercentEncoding(withAllowedCharacters: unreserved) ?? token
        return "\(portalURL ?? "")/invitations/accept?token=\(escaped)"
    }
}
