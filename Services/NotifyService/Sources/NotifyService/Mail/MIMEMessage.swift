/// An `OutgoingMail` as RFC 5322 bytes: a `multipart/alternative` of a text/plain and a text/html
/// part, each UTF-8 in quoted-printable; ASCII throughout, CRLF line ends, no line over 78
/// characters in the headers (76 where encoded-words stand) nor 76 in the parts.
///
/// Headers: `Date`, `From`, `To`, `Subject`, `Message-ID`, `MIME-Version`, `Content-Type`.
/// Display names and the subject are flattened to one line (`HeaderText`) and sent as
/// encoded-words when not plain ASCII; addresses and the Message-ID are checked and refused when
/// malformed, so no value can add a header line.
struct MIMEMessage: Sendable {
    /// The whole message, ready for SMTP's `DATA` (which dot-stuffs it).
    let text: String
    /// The boundary between the parts (quoted-printable never writes `=_`, which it starts with).
    let boundary: String

    /// Renders `mail`.
    ///
    /// - Throws: `MailError.permanent` when an address or the Message-ID is malformed, or there
    ///   is no recipient: sending it again would fail the same way.
    init(_ mail: OutgoingMail, boundary: String = MIMEMessage.makeBoundary()) throws {
        guard !mail.to.isEmpty else { throw MailError.permanent("an e-mail needs at least one recipient") }
        let from = try mail.from.checked(as: "From")
        let to = try mail.to.map { try $0.checked(as: "To") }
        let messageID = try mail.checkedMessageID()
        self.boundary = boundary

        var fromField = HeaderField("From")
        fromField.append(mailboxes: [from])
        var toField = HeaderField("To")
        toField.append(mailboxes: to)
        var subject = HeaderField("Subject")
        subject.append(unstructured: mail.subject)
        let headers = [
            "Date: " + MailDate.format(mail.date),
            fromField.text,
            toField.text,
            subject.text,
            "Message-ID: " + messageID,
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"",
        ]
        let parts = [("text/plain", mail.text), ("text/html", mail.html)].map { type, content in
            "--\(boundary)\r\nContent-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + QuotedPrintable.encode(content) + "\r\n"
        }
        text = headers.joined(separator: "\r\n") + "\r\n\r\n" + parts.joined() + "--\(boundary)--\r\n"
    }

    /// The message's bytes.
    var bytes: [UInt8] { Array(text.utf8) }

    /// `=_atrium_` and 24 random hex digits.
    static func makeBoundary() -> String {
        var random = SystemRandomNumberGenerator()
        return "=_atrium_" + (0..<3).map { _ in
            let hex = String(random.next() as UInt32, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }
}
