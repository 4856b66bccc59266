import AtriumRuntime
import Foundation

/// How NotifyService sends e-mail: a mailer and the sender address, or nil (no `smtp.url`: e-mails
/// are held, never dropped).
struct MailSetup: Sendable, CustomStringConvertible {
    var mailer: any Mailer
    var from: MailAddress
    /// What the start-up log says of it (never a credential).
    var description: String
    /// The longest one attempt to send may take.
    var timeout: Duration?

    init(mailer: any Mailer, from: MailAddress, description: String = "a test double", timeout: Duration? = nil) {
        self.mailer = mailer
        self.from = from
        self.description = description
        self.timeout = timeout
    }

    /// The SMTP mailer `smtp.*` settings describe; nil without `smtp.url`.
    static func configured(_ configuration: ServiceConfiguration) throws -> MailSetup? {
        try SMTPSettings(configuration.reader).map { MailSetup(mailer: SMTPMailer(settings: $0), from: $0.from, description: "\($0)", timeout: $0.timeout) }
    }

    /// The domain of Message-IDs: the sender's, else the portal's host, else a reserved name.
    static func domain(from: MailAddress?, portalURL: String?) -> String {
        if let from, let at = from.email.lastIndex(of: "@") {
            let domain = from.email[from.email.index(after: at)...]
            if !domain.isEmpty { return String(domain) }
        }
        return portalURL.flatMap { URL(string: $0)?.host } ?? "atrium.invalid"
    }
}
