import Foundation
@testable import NotifyService
import Testing

/// `MIMEMessage`: what an `OutgoingMail` looks like on the wire, read back by `MIMEReading`.
struct MIMEMessageTests {
    static func mail(
        from: MailAddress = MailAddress(name: "Atrium", email: "noreply@atrium.example"),
        to: [MailAddress] = [MailAddress(name: "Ada Lovelace", email: "ada@example.com")],
        subject: String = "Your documents are ready", text: String = "Hello Ada,\nyour documents are ready.\n",
        html: String = "<p>Hello Ada,</p>\n<p>your documents are <b>ready</b>.</p>\n", messageID: String = "ntf_123.1@atrium.example",
        date: Date = Date(timeIntervalSince1970: 1_795_492_139)
    ) -> OutgoingMail {
        OutgoingMail(from: from, to: to, subject: subject, text: text, html: html, messageID: messageID, date: date)
    }

    /// The message's text, after checking what every message must be: ASCII, CRLF only, short lines.
    static func render(_ mail: OutgoingMail) throws -> (MIMEMessage, MIMEReading) {
        let message = try MIMEMessage(mail)
        let text = message.text
        #expect(text.utf8.allSatisfy { $0 < 0x80 }, "ASCII only")
        #expect(text.hasSuffix("\r\n"))
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { !$0.contains("\r") && !$0.contains("\n") }, "no bare CR or LF")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "lines: \(lines.filter { $0.utf8.count > 78 })")
        let head = MIMEReading.split(text).head.components(separatedBy: "\r\n")
        for line in head where line.contains("=?") {
            #expect(line.utf8.count <= 76, "a line with encoded-words: \(line)")
        }
        for word in text.matches(of: #/=\?[^?]+\?[BQ]\?[^?]*\?=/#) {
            #expect(word.output.count <= 75, "encoded-word \(word.output)")
        }
        #expect(head.allSatisfy { !$0.isEmpty && ($0.first == " " || $0.contains(":")) && $0.trimmingCharacters(in: .whitespaces) != "" })
        return (message, MIMEReading(text))
    }

    @Test("Both parts are there, UTF-8 in quoted-printable, and decode to the mail's text and HTML")
    func parts() throws {
        let text = "Grüße aus Zürich — 5 € ✓\nLine two\r\nLine three\n. a line that is a dot\nFrom here on\n= sign and trailing space \n"
            + String(repeating: "long line ", count: 30) + "\n" + String(repeating: "é", count: 100)
        let html = "<p>Grüße — <a href=\"https://atrium.example/d?a=1&b=2\">open</a></p>\n"
        let (message, reading) = try Self.render(Self.mail(text: text, html: html))
        #expect(reading.raw("MIME-Version") == "1.0")
        #expect(reading.raw("Content-Type") == "multipart/alternative; boundary=\"\(message.boundary)\"")
        #expect(message.boundary.hasPrefix("=_"), "quoted-printable never writes =_")
        let parts = reading.parts(boundary: message.boundary)
        try #require(parts.count == 2)
        #expect(parts[0].headers.raw("Content-Type") == "text/plain; charset=UTF-8")
        #expect(parts[1].headers.raw("Content-Type") == "text/html; charset=UTF-8")
        #expect(parts.allSatisfy { $0.headers.raw("Content-Transfer-Encoding") == "quoted-printable" })
        let crlf = { (text: String) in text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n") }
        #expect(parts[0].content == crlf(text))
        #expect(parts[1].content == crlf(html))
        #expect(message.text.hasSuffix("--\(message.boundary)--\r\n"))
        // Readable where it can be; what could be mangled in transit is encoded.
        #expect(message.text.contains("Line two\r\n"))
        #expect(message.text.contains("=46rom here on"))
        #expect(message.text.contains("=3D sign and trailing space=20\r\n"))
    }

    @Test("Date is RFC 5322 in UTC with English names; Message-ID is in angle brackets")
    func dateAndMessageID() throws {
        let (_, reading) = try Self.render(Self.mail())
        #expect(reading.raw("Date") == "Tue, 24 Nov 2026 03:48:59 +0000")
        #expect(reading.raw("Message-ID") == "<ntf_123.1@atrium.example>")
        let early = try Self.render(Self.mail(date: Date(timeIntervalSince1970: 0))).1
        #expect(early.raw("Date") == "Thu, 01 Jan 1970 00:00:00 +0000")
        let names = ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type"]
        #expect(reading.headers.map(\.name) == names)
    }

    @Test("Non-ASCII subjects and names go as encoded-words of whole characters and decode back", arguments: [
        "Grüße aus Zürich",
        "Документы готовы к подписи — пожалуйста, проверьте их до пятницы, спасибо большое",
        "📄📄📄 👩‍👩‍👧‍👦 🇨🇭 family and flags 🏳️‍🌈 " + String(repeating: "👩‍👩‍👧‍👦", count: 12),
        "日本語の件名はとても長くなることがありますので、正しく分割されることを確認します。" + String(repeating: "長", count: 40),
        "Plain ASCII but with =?UTF-8?B?Zm9v?= inside",
        "e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
    ])
    func encodedWords(_ text: String) throws {
        let (_, reading) = try Self.render(Self.mail(
            from: MailAddress(name: text, email: "noreply@atrium.example"), to: [MailAddress(name: text, email: "ada@example.com")], subject: text))
        #expect(reading.decoded("Subject") == text)
        #expect(reading.raw("Subject")?.contains("=?UTF-8?B?") == true)
        #expect(reading.decoded("From") == "\(text) <noreply@atrium.example>")
        #expect(reading.decoded("To") == "\(text) <ada@example.com>")
    }

    @Test("ASCII stays readable: long subjects fold at spaces, names are atoms or quoted")
    func asciiHeaders() throws {
        let subject = (1...40).map { "word\($0)" }.joined(separator: " ") + "  two  spaces"
        let to = [
            MailAddress(name: "Ada Lovelace", email: "ada@example.com"),
            MailAddress(name: "Lovelace, Ada \"The Countess\" \\o/", email: "countess@example.com"),
            MailAddress(name: nil, email: "bare@example.com"),
            MailAddress(name: "  ", email: "blank.name@example.com"),
        ]
        let (message, reading) = try Self.render(Self.mail(to: to, subject: subject))
        #expect(reading.raw("Subject") == subject)
        #expect(!message.text.contains("=?"))
        #expect(reading.raw("To") == #"Ada Lovelace <ada@example.com>, "Lovelace, Ada \"The Countess\" \\o/" <countess@example.com>, "#
            + "bare@example.com, blank.name@example.com")
        #expect(reading.raw("From") == "Atrium <noreply@atrium.example>")
    }

    @Test("CR and LF in a subject or name are flattened: they never start a header line", arguments: [
        "Hello\r\nBcc: victim@example.com",
        "Hello\nBcc: victim@example.com",
        "Hello\rBcc: victim@example.com",
        "Hello\r\n\r\n<html>body injection",
        "Hello\u{2028}Bcc: victim@example.com\u{85}X-Evil: 1",
        "Grüße\r\nBcc: victim@example.com",
    ])
    func flattensText(_ text: String) throws {
        let (message, reading) = try Self.render(Self.mail(to: [MailAddress(name: text, email: "ada@example.com")], subject: text))
        #expect(reading.headers.map(\.name) == ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type"])
        #expect(!message.text.contains("\r\nBcc"))
        #expect(!message.text.contains("\r\nX-Evil"))
        let flat = try #require(reading.decoded("Subject"))
        let newlines = flat.filter(\.isNewline)
        #expect(newlines.isEmpty)
        #expect(flat.hasPrefix("Hello") || flat.hasPrefix("Grüße"))
        #expect(flat.contains(" Bcc: victim@example.com") || flat.contains(" <html>"))
    }

    @Test("A malformed address or Message-ID is refused for good, CR and LF above all", arguments: [
        "ada@example.com\r\nBcc: victim@example.com", "ada@example.com\n", "ada@exam\rple.com", "ada@example.com>", "<ada@example.com",
        "ada", "@example.com", "ada@", "ada..l@example.com", ".ada@example.com", "ada@-example.com", "ada lovelace@example.com",
        "ada@exa mple.com", "adä@example.com", "ada@例え.jp", "ada@example.com, victim@example.com", "ada@example..com",
    ])
    func refusesAddresses(_ address: String) throws {
        for mail in [Self.mail(to: [MailAddress(name: nil, email: address)]),
                     Self.mail(from: MailAddress(name: "Atrium", email: address)),
                     Self.mail(to: [MailAddress(name: "Ada", email: "ada@example.com"), MailAddress(name: "X", email: address)])] {
            let error = #expect(throws: MailError.self) { try MIMEMessage(mail) }
            guard case .permanent(let detail) = error else {
                Issue.record("\(String(describing: error)) is not permanent")
                continue
            }
            #expect(!detail.contains("\r") && !detail.contains("\n"), "the detail is one line")
        }
    }

    @Test("Good addresses pass", arguments: [
        "ada@example.com", "ada.lovelace+notify@mail.example.co.uk", "o'brien@example.ie", "x@[192.0.2.1]", "a_b-c@sub-domain.example",
    ])
    func acceptsAddresses(_ address: String) throws {
        let (_, reading) = try Self.render(Self.mail(to: [MailAddress(name: nil, email: address)]))
        #expect(reading.raw("To") == address)
    }

    @Test("The Message-ID must be left@right without anything that could end the header", arguments: [
        "ntf_1@atrium.example\r\nBcc: victim@example.com", "ntf_1", "ntf_1@", "@atrium.example", "<ntf_1@atrium.example>",
        "ntf 1@atrium.example", "a@b@c",
    ])
    func refusesMessageIDs(_ id: String) {
        #expect(throws: MailError.self) { try MIMEMessage(Self.mail(messageID: id)) }
    }

    @Test("No recipient, no message")
    func needsRecipient() {
        #expect(throws: MailError.permanent("an e-mail needs at least one recipient")) { try MIMEMessage(Self.mail(to: [])) }
    }

    @Test("Quoted-printable: lines of at most 76, soft breaks that decode away, every byte round-trips")
    func quotedPrintable() {
        var samples = [String(repeating: "a", count: 200), String(repeating: "=", count: 100), String(repeating: "ü", count: 80),
                       "tab\tend\t", "space end ", "\n\n\nblank lines\n", ""]
        samples.append(String((0..<300).map { Character(Unicode.Scalar(UInt8($0 % 128))) }.filter { $0 != "\r" && $0 != "\n" }))
        for sample in samples {
            let encoded = QuotedPrintable.encode(sample)
            let lines = encoded.components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= 76 })
            #expect(lines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
            #expect(encoded.utf8.allSatisfy { $0 == 13 || $0 == 10 || $0 == 9 || (0x20...0x7e).contains($0) })
            #expect(MIMEReading.decodeQuotedPrintable(encoded) == sample.replacingOccurrences(of: "\n", with: "\r\n"))
        }
    }
}
