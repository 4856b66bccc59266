import Foundation

/// A mailbox: an address and, optionally, the name shown with it (any Unicode; encoded on the wire).
struct MailAddress: Sendable, Hashable, Codable {
    var name: String?
    var email: String
}

/// One e-mail, ready to go: both parts are always present.
struct OutgoingMail: Sendable, Hashable, Codable {
    var from: MailAddress
    var to: [MailAddress]
    var subject: String
    var text: String
    var html: String
    /// Without angle brackets, e.g. `ntf_123.1@atrium.example`; stable across retries of the same e-mail.
    var messageID: String
    var date: Date
}
