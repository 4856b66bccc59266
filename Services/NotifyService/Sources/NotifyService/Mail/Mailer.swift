/// Sends e-mail. The SMTP mailer is the real one; unit tests use a recording double.
protocol Mailer: Sendable {
    /// Hands `mail` to the server. Throws `MailError.temporary` when trying again later may
    /// succeed (server down, 4xx), `MailError.permanent` when it cannot (5xx, a refused address).
    func send(_ mail: OutgoingMail) async throws
}

/// Why an e-mail was not accepted; `detail` never carries credentials.
enum MailError: Error, Sendable, Equatable {
    case temporary(String)
    case permanent(String)
}
