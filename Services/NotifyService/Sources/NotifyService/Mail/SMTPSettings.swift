import AtriumRuntime
import Configuration
import Curl
import Foundation

/// Where NotifyService sends e-mail and how; the description hides the password.
///
/// - `smtp.url` (secret, as it may hold a password): `smtp://host[:port]` or `smtps://host[:port]`,
///   optionally with `user:password@` (percent-decoded) and a path naming the `EHLO` domain.
///   Unset: no settings, and e-mail stays queued.
/// - `smtp.user`, `smtp.password` (secret): the credentials, instead of the URL's.
/// - `smtp.from`: the sender of every e-mail, `Name <address>` or `address` (required).
/// - `smtp.starttls`: `required`, `optional` or `off` for `smtp://` (see `SMTPTLS`). Default:
///   `required` when there are credentials, so a man in the middle who strips STARTTLS from the
///   server's answer gets no password; `optional` otherwise (a relay on a private network).
/// - `smtp.ca.file`: a PEM file of certificate authorities to trust instead of the system's.
/// - `smtp.timeout.seconds`: the limit of one e-mail's conversation (default 60, 1-600).
///
/// Anything malformed is a `ConfigurationError`, which stops the service at start-up.
struct SMTPSettings: Sendable, CustomStringConvertible {
    /// The server's URL without credentials.
    var url: String
    var credentials: CurlCredentials?
    var from: MailAddress
    var tls: SMTPTLS
    var caFile: String?
    var timeout: Duration

    var description: String {
        "SMTPSettings(url: \(url), user: \(credentials?.user ?? "none"), password: \(credentials == nil ? "none" : "redacted"), "
            + "from: \(from.email), starttls: \(tls.rawValue), ca.file: \(caFile ?? "system"), timeout: \(timeout))"
    }

    /// The `smtp.*` settings, checked; nil when `smtp.url` is unset or empty.
    init?(_ reader: ConfigReader) throws {
        guard let raw = reader.string(forKey: "smtp.url", isSecret: true), !raw.isEmpty else { return nil }
        let invalidURL = ConfigurationError.invalid(
            key: "smtp.url", why: "must be smtp://host[:port] or smtps://host[:port], with no query, and a path only to name the EHLO domain")
        guard var components = URLComponents(string: raw), let scheme = components.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
            let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil,
            components.path.isEmpty || components.path.dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
        else { throw invalidURL }
        let nonEmpty = { (text: String?) in text.flatMap { $0.isEmpty ? nil : $0 } }
        let user = Self.value(reader, "smtp.user", secret: false) ?? nonEmpty(components.user)
        let password = Self.value(reader, "smtp.password", secret: true) ?? nonEmpty(components.password)
        components.user = nil
        components.password = nil
        guard let url = components.string else { throw invalidURL }
        self.url = url
        switch (user, password) {
        case (nil, nil): credentials = nil
        case (let user?, let password?): credentials = CurlCredentials(user: user, password: password)
        case (nil, _): throw ConfigurationError.invalid(key: "smtp.user", why: "is required with a password")
        case (_, nil): throw ConfigurationError.missing(key: "smtp.password")
        }

        guard let fromText = Self.value(reader, "smtp.from", secret: false) else { throw ConfigurationError.missing(key: "smtp.from") }
        guard let from = Self.mailbox(fromText) else {
            throw ConfigurationError.invalid(key: "smtp.from", why: "must be an address or Name <address>, not \"\(fromText)\"")
        }
        self.from = from

        let defaultTLS: SMTPTLS = credentials == nil ? .optional : .required
        let tlsText = reader.string(forKey: "smtp.starttls", default: defaultTLS.rawValue)
        guard let tls = SMTPTLS(rawValue: tlsText.lowercased()) else {
            throw ConfigurationError.invalid(key: "smtp.starttls", why: "must be required, optional or off, not \"\(tlsText)\"")
        }
        self.tls = tls

        caFile = Self.value(reader, "smtp.ca.file", secret: false)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError.invalid(key: "smtp.ca.file", why: "names no readable file: \(caFile)")
        }
        timeout = .seconds(try ServiceConfiguration.integer(reader, "smtp.timeout.seconds", default: 60, in: 1...600))
    }

    private static func value(_ reader: ConfigReader, _ key: String, secret: Bool) -> String? {
        reader.string(forKey: ConfigKey(key), isSecret: secret).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `Name <address>`, `"Name" <address>` or `address`; nil when the address is not one.
    static func mailbox(_ text: String) -> MailAddress? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard text.hasSuffix(">"), let open = text.lastIndex(of: "<") else {
            return MailAddress.isAddress(text) ? MailAddress(name: nil, email: text) : nil
        }
        let email = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        var name = text[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        guard MailAddress.isAddress(email), !name.contains(where: \.isNewline) else { return nil }
        return MailAddress(name: name.isEmpty ? nil : name, email: email)
    }
}
