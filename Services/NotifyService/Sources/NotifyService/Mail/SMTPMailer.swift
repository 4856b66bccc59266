import Curl

/// The real `Mailer`: composes each e-mail (`MIMEMessage`) and hands it to the SMTP server of
/// `settings` through libcurl, one connection per e-mail.
///
/// The envelope sender is the e-mail's From address and its recipients its To addresses, every
/// one of which the server must accept. A failure is `MailError.permanent` when the server
/// refused with a 5xx reply (a wrong password's 535, an unknown recipient's 550) or the e-mail
/// itself is malformed; anything else — no connection, a time-out, a TLS failure, a 4xx reply —
/// is `MailError.temporary`. Its text names the server and says what it answered, never a credential.
struct SMTPMailer: Mailer {
    let settings: SMTPSettings

    func send(_ mail: OutgoingMail) async throws {
        let message = try MIMEMessage(mail)
        let transfer = SMTPTransfer(
            url: settings.url, sender: mail.from.email, recipients: mail.to.map(\.email), message: message.bytes,
            credentials: settings.credentials, tls: settings.tls, caFile: settings.caFile, timeout: settings.timeout)
        do {
            try await Curl.send(transfer)
        } catch let error as CurlError {
            throw Self.classify(error, server: settings.url)
        }
    }

    /// The `MailError` for a failed transfer: permanent only for a 5xx reply.
    static func classify(_ error: CurlError, server: String) -> MailError {
        var detail = "\(server): \(error.message)"
        if let reply = error.reply, let code = error.responseCode, reply.hasPrefix(String(code)) {
            detail += " (the server answered \"\(reply.prefix(200))\")"
        } else if let code = error.responseCode {
            detail += " (the server's last reply was \(code))"
        }
        if let code = error.responseCode, (500..<600).contains(code) { return .permanent(detail) }
        return .temporary(detail)
    }
}
