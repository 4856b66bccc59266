import AtriumCluster
import AtriumRuntime
import Configuration
import Curl
import Foundation
import HummingbirdTesting
@testable import NotifyService
import Testing

/// `SMTPMailer` against a real SMTP server (`SMTPSink`: aiosmtpd), and its settings.
struct SMTPMailerTests {
    static let password = "p@ss:w0rd%é"

    static func settings(_ environment: [String: String]) throws -> SMTPSettings? {
        try SMTPSettings(ServiceConfiguration.reader(arguments: ["test"], environment: environment))
    }

    static func mailer(_ environment: [String: String]) throws -> SMTPMailer {
        SMTPMailer(settings: try #require(try settings(["ATRIUM_SMTP_FROM": "Atrium <noreply@atrium.example>", "ATRIUM_SMTP_TIMEOUT_SECONDS": "10"]
            .merging(environment) { $1 })))
    }

    static let mail = MIMEMessageTests.mail(
        to: [MailAddress(name: "Zoë Ærøskøbing", email: "zoe@example.com"), MailAddress(name: nil, email: "second@example.org")],
        subject: "Ihre Unterlagen sind bereit — bitte prüfen ✓",
        text: "Hallo Zoë,\nIhre Unterlagen sind bereit.\n.\n..and a line of dots\n",
        html: "<p>Hallo Zoë,</p>\n<p>Ihre Unterlagen sind <b>bereit</b>.</p>\n")

    /// What every accepted copy of `mail` must look like to the server and to Python's parser.
    static func expectReceived(_ received: SMTPSink.Received, _ mail: OutgoingMail = mail) {
        #expect(received.mailFrom == mail.from.email)
        #expect(received.rcptTos == mail.to.map(\.email))
        #expect(received.subject == mail.subject)
        #expect(received.to == mail.to.map { [$0.name ?? "", $0.email] })
        #expect(received.from == [[mail.from.name ?? "", mail.from.email]])
        #expect(received.contentType == "multipart/alternative")
        #expect(received.parts.map(\.type) == ["text/plain", "text/html"])
        #expect(received.parts.allSatisfy { $0.charset == "utf-8" && $0.encoding == "quoted-printable" })
        // A text part's line ends are CRLF on the wire and stay so when decoded.
        let lf = { (text: String?) in text?.replacingOccurrences(of: "\r\n", with: "\n") }
        #expect(lf(received.text) == mail.text)
        #expect(lf(received.html) == mail.html)
        #expect(received.header("Message-ID") == "<\(mail.messageID)>")
        #expect(received.header("Date") == "Tue, 24 Nov 2026 03:48:59 +0000")
        #expect(received.defects.isEmpty, "parser defects: \(received.defects)")
        // Byte for byte what we composed: libcurl's dot-stuffing was undone by the server.
        let boundary = received.rawText.firstMatch(of: #/boundary="([^"]+)"/#).map { String($0.output.1) } ?? ""
        #expect(received.rawText == (try? MIMEMessage(mail, boundary: boundary).text))
    }

    enum Kind: String {
        case permanent, temporary
    }

    /// The detail of the `MailError` of `kind` that `send` throws; nil, and an issue, for anything else.
    static func failure(_ kind: Kind, sourceLocation: SourceLocation = #_sourceLocation, _ send: () async throws -> Void) async -> String? {
        let error = await #expect(throws: MailError.self, sourceLocation: sourceLocation) { try await send() }
        switch (kind, error) {
        case (.permanent, .permanent(let detail)?), (.temporary, .temporary(let detail)?):
            return detail
        default:
            Issue.record("expected a \(kind.rawValue) MailError, not \(String(describing: error))", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test("Plain SMTP: the server gets the envelope and a message Python's parser reads back exactly", .needsSMTPSink)
    func plain() async throws {
        try await SMTPSink.with { sink in
            let mailer = try Self.mailer(["ATRIUM_SMTP_URL": sink.url])
            #expect(mailer.settings.tls == .optional)
            try await mailer.send(Self.mail)
            let received = try sink.messages()
            try #require(received.count == 1)
            Self.expectReceived(received[0])
            #expect(!received[0].tls)
        }
    }

    @Test("STARTTLS with a private CA (smtp.ca.file) and AUTH from the URL's percent-decoded userinfo", .needsSMTPSink)
    func starttlsWithAuth() async throws {
        try await SMTPSink.with(.init(tls: .starttls, auth: ("atrium@example", Self.password))) { sink in
            let userinfo = "atrium%40example:" + (Self.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let mailer = try Self.mailer([
                "ATRIUM_SMTP_URL": "smtp://\(userinfo)@127.0.0.1:\(sink.port)", "ATRIUM_SMTP_CA_FILE": try #require(sink.caFile),
            ])
            #expect(mailer.settings.url == sink.url)
            #expect(mailer.settings.tls == .required, "credentials make STARTTLS required by default")
            try await mailer.send(Self.mail)
            let received = try sink.messages()
            try #require(received.count == 1)
            Self.expectReceived(received[0])
            #expect(received[0].tls)
            #expect(received[0].authUser == "atrium@example")
        }
    }

    @Test("Credentials as settings of their own work the same; a wrong password is permanent and never shown", .needsSMTPSink)
    func wrongPassword() async throws {
        try await SMTPSink.with(.init(tls: .starttls, auth: ("atrium", Self.password))) { sink in
            let base = ["ATRIUM_SMTP_URL": sink.url, "ATRIUM_SMTP_CA_FILE": try #require(sink.caFile), "ATRIUM_SMTP_USER": "atrium"]
            try await Self.mailer(base.merging(["ATRIUM_SMTP_PASSWORD": Self.password]) { $1 }).send(Self.mail)
            let wrong = "wrong-\(Self.password)"
            let detail = try #require(await Self.failure(.permanent) {
                try await Self.mailer(base.merging(["ATRIUM_SMTP_PASSWORD": wrong]) { $1 }).send(Self.mail)
            })
            #expect(detail.contains("535"))
            #expect(!detail.contains(wrong) && !detail.contains(Self.password) && !detail.contains("w0rd"))
            let received = try sink.messages()
            #expect(received.count == 1)
        }
    }

    @Test("No server listening is temporary")
    func notListening() async throws {
        let port = try FreePorts.take(1)[0]
        let detail = try #require(await Self.failure(.temporary) {
            try await Self.mailer(["ATRIUM_SMTP_URL": "smtp://127.0.0.1:\(port)"]).send(Self.mail)
        })
        #expect(detail.contains("127.0.0.1:\(port)"))
    }

    @Test("A server that never answers times out (smtp.timeout.seconds): temporary")
    func silentServer() async throws {
        let silent = try SilentEndpoint()
        let started = ContinuousClock.now
        let detail = try #require(await Self.failure(.temporary) {
            try await Self.mailer(["ATRIUM_SMTP_URL": "smtp://127.0.0.1:\(silent.port)", "ATRIUM_SMTP_TIMEOUT_SECONDS": "1"]).send(Self.mail)
        })
        // Far below the 60 s default even on a loaded machine: the setting was honoured.
        #expect(ContinuousClock.now - started < .seconds(45))
        #expect(detail.lowercased().contains("timeout") || detail.lowercased().contains("timed out"))
    }

    @Test("A 451 is temporary, and the same e-mail goes through when tried again", .needsSMTPSink)
    func temporaryThenRetry() async throws {
        try await SMTPSink.with(.init(failFirst: 1)) { sink in
            let mailer = try Self.mailer(["ATRIUM_SMTP_URL": sink.url])
            let detail = try #require(await Self.failure(.temporary) { try await mailer.send(Self.mail) })
            #expect(detail.contains("451 4.3.0 Try again later"))
            let before = try sink.messages()
            #expect(before.isEmpty)
            try await mailer.send(Self.mail)
            let received = try sink.messages()
            try #require(received.count == 1)
            Self.expectReceived(received[0])
        }
    }

    @Test("A refused recipient is permanent, and nobody gets the e-mail", .needsSMTPSink)
    func refusedRecipient() async throws {
        try await SMTPSink.with(.init(refuseRecipients: "second@")) { sink in
            let detail = try #require(await Self.failure(.permanent) { try await Self.mailer(["ATRIUM_SMTP_URL": sink.url]).send(Self.mail) })
            #expect(detail.contains("550"))
            let received = try sink.messages()
            #expect(received.isEmpty)
        }
    }

    @Test("Credentials and no STARTTLS offered: by default nothing is sent, and it is temporary", .needsSMTPSink)
    func starttlsRequiredNotOffered() async throws {
        try await SMTPSink.with { sink in
            let mailer = try Self.mailer(["ATRIUM_SMTP_URL": sink.url, "ATRIUM_SMTP_USER": "atrium", "ATRIUM_SMTP_PASSWORD": Self.password])
            #expect(mailer.settings.tls == .required)
            // libcurl stops after EHLO: the password never goes out in clear.
            _ = try #require(await Self.failure(.temporary) { try await mailer.send(Self.mail) })
            let received = try sink.messages()
            #expect(received.isEmpty)
        }
    }

    @Test("A certificate from an untrusted CA fails the STARTTLS handshake: temporary, nothing sent", .needsSMTPSink)
    func untrustedCertificate() async throws {
        try await SMTPSink.with(.init(tls: .starttls)) { sink in
            let detail = try #require(await Self.failure(.temporary) { try await Self.mailer(["ATRIUM_SMTP_URL": sink.url]).send(Self.mail) })
            #expect(detail.lowercased().contains("certificate"))
            let received = try sink.messages()
            #expect(received.isEmpty)
        }
    }

    @Test("smtps://: TLS from the first byte, with AUTH", .needsSMTPSink)
    func implicitTLS() async throws {
        try await SMTPSink.with(.init(tls: .implicit, auth: ("atrium", Self.password))) { sink in
            let mailer = try Self.mailer([
                "ATRIUM_SMTP_URL": sink.url, "ATRIUM_SMTP_USER": "atrium", "ATRIUM_SMTP_PASSWORD": Self.password,
                "ATRIUM_SMTP_CA_FILE": try #require(sink.caFile),
            ])
            #expect(mailer.settings.url.hasPrefix("smtps://"))
            try await mailer.send(Self.mail)
            let received = try sink.messages()
            try #require(received.count == 1)
            Self.expectReceived(received[0])
            #expect(received[0].tls)
            #expect(received[0].authUser == "atrium")
        }
    }

    @Test("A malformed e-mail is refused before any connection")
    func malformedMail() async throws {
        var mail = Self.mail
        mail.to[0].email = "zoe@example.com\r\nRCPT TO:<victim@example.com>"
        // Nobody listens there: had it tried to connect, the failure would be temporary.
        let port = try FreePorts.take(1)[0]
        let detail = try #require(await Self.failure(.permanent) {
            try await Self.mailer(["ATRIUM_SMTP_URL": "smtp://127.0.0.1:\(port)"]).send(mail)
        })
        #expect(detail.contains("To address"))
    }

    @Test("libcurl's SMTP transfer refuses an envelope address with a CR or LF itself")
    func envelopeInjection() async throws {
        let port = try FreePorts.take(1)[0]
        for (sender, recipient) in [("a@example.com\r\nRSET", "b@example.com"), ("a@example.com", "b@example.com\nDATA")] {
            let error = await #expect(throws: CurlError.self) {
                try await Curl.send(SMTPTransfer(url: "smtp://127.0.0.1:\(port)", sender: sender, recipients: [recipient], message: Array("x\r\n".utf8)))
            }
            #expect(error?.code == -5)
        }
    }
}

extension SMTPMailerTests {
    @Test("No smtp.url, no settings: e-mail stays queued")
    func unset() throws {
        #expect(try Self.settings([:]) == nil)
        #expect(try Self.settings(["ATRIUM_SMTP_URL": "", "ATRIUM_SMTP_FROM": "bad"]) == nil)
    }

    @Test("The URL's userinfo is percent-decoded into credentials and taken out of the URL; the description hides the password")
    func userinfo() throws {
        let settings = try #require(try Self.settings([
            "ATRIUM_SMTP_URL": "smtps://mailer%40atrium.example:s%3Acr%40t@relay.example:465", "ATRIUM_SMTP_FROM": "\"Atrium, Notifications\" <noreply@atrium.example>",
        ]))
        #expect(settings.url == "smtps://relay.example:465")
        #expect(settings.credentials?.user == "mailer@atrium.example")
        #expect(settings.credentials?.password == "s:cr@t")
        #expect(settings.from == MailAddress(name: "Atrium, Notifications", email: "noreply@atrium.example"))
        #expect(settings.timeout == .seconds(60))
        #expect(settings.caFile == nil)
        #expect(!settings.description.contains("s:cr@t") && !settings.description.contains("s%3Acr%40t"))
        // Settings of their own win over the URL's.
        let own = try #require(try Self.settings([
            "ATRIUM_SMTP_URL": "smtp://a:b@relay.example", "ATRIUM_SMTP_USER": "c", "ATRIUM_SMTP_PASSWORD": "d", "ATRIUM_SMTP_FROM": "x@y.example",
        ]))
        #expect(own.credentials?.user == "c" && own.credentials?.password == "d")
        #expect(own.from == MailAddress(name: nil, email: "x@y.example"))
    }

    @Test("smtp.starttls: required by default with credentials, optional without; explicit values win")
    func starttls() throws {
        let base = ["ATRIUM_SMTP_FROM": "noreply@atrium.example"]
        let tls = { (environment: [String: String]) in try #require(try Self.settings(base.merging(environment) { $1 })).tls }
        #expect(try tls(["ATRIUM_SMTP_URL": "smtp://relay.example:25"]) == .optional)
        #expect(try tls(["ATRIUM_SMTP_URL": "smtp://u:p@relay.example:587"]) == .required)
        #expect(try tls(["ATRIUM_SMTP_URL": "smtp://u:p@relay.example:587", "ATRIUM_SMTP_STARTTLS": "optional"]) == .optional)
        #expect(try tls(["ATRIUM_SMTP_URL": "smtp://relay.example", "ATRIUM_SMTP_STARTTLS": "off"]) == .off)
        #expect(try tls(["ATRIUM_SMTP_URL": "smtp://relay.example", "ATRIUM_SMTP_STARTTLS": "Required"]) == .required)
    }

    @Test("Anything malformed is a ConfigurationError that never shows the password", arguments: [
        ["ATRIUM_SMTP_URL": "http://relay.example"], ["ATRIUM_SMTP_URL": "smtp://"], ["ATRIUM_SMTP_URL": "relay.example:25"],
        ["ATRIUM_SMTP_URL": "smtp://relay.example?auth=plain"], ["ATRIUM_SMTP_URL": "smtp://relay.example/a/b"],
        ["ATRIUM_SMTP_URL": "smtp://u:sekrit-pw@relay.example#x"], ["ATRIUM_SMTP_URL": "smtp://u@relay.example"],
        ["ATRIUM_SMTP_URL": "smtp://:sekrit-pw@relay.example"], ["ATRIUM_SMTP_PASSWORD": "sekrit-pw"],
        ["ATRIUM_SMTP_FROM": ""], ["ATRIUM_SMTP_FROM": "Atrium"], ["ATRIUM_SMTP_FROM": "Atrium <noreply>"],
        ["ATRIUM_SMTP_FROM": "Atrium <noreply@atrium.example>\r\nBcc: x@y.example"], ["ATRIUM_SMTP_STARTTLS": "always"],
        ["ATRIUM_SMTP_CA_FILE": "/nonexistent/ca.pem"], ["ATRIUM_SMTP_TIMEOUT_SECONDS": "0"], ["ATRIUM_SMTP_TIMEOUT_SECONDS": "soon"],
    ])
    func malformed(_ change: [String: String]) throws {
        let environment = ["ATRIUM_SMTP_URL": "smtp://relay.example:587", "ATRIUM_SMTP_FROM": "Atrium <noreply@atrium.example>"]
            .merging(change) { $1 }
        let error = #expect(throws: ConfigurationError.self) { try Self.settings(environment) }
        #expect(!String(describing: error).contains("sekrit-pw"))
    }

    @Test("NotifyService refuses to start with a malformed smtp.* setting, and starts without any")
    func startUp() async throws {
        try await TestStorage.with(.sqlite) { storage in
            let build = { (overrides: [String: String]) in
                // Started and stopped again, so nothing it opened outlives the test.
                let app = try await NotifyService.buildApplication(try TestConfiguration.make(.notify, storage: storage, overrides: overrides))
                try await app.test(.router) { _ in }
            }
            try await build([:])
            try await build(["ATRIUM_SMTP_URL": "smtp://relay.example:587", "ATRIUM_SMTP_FROM": "noreply@atrium.example"])
            await #expect(throws: ConfigurationError.self) { try await build(["ATRIUM_SMTP_URL": "smtp://relay.example:587"]) }
            await #expect(throws: ConfigurationError.self) {
                try await build(["ATRIUM_SMTP_URL": "smtp://relay.example", "ATRIUM_SMTP_FROM": "a@b.example", "ATRIUM_SMTP_STARTTLS": "yes"])
            }
        }
    }

    @Test("Only a 5xx reply is permanent")
    func classification() {
        let failure = { (code: Int?, reply: String?) in
            SMTPMailer.classify(CurlError(code: 56, message: "failure", responseCode: code, reply: reply), server: "smtp://relay.example")
        }
        #expect(failure(550, "550 5.1.1 No such mailbox") == .permanent("smtp://relay.example: failure (the server answered \"550 5.1.1 No such mailbox\")"))
        #expect(failure(535, nil) == .permanent("smtp://relay.example: failure (the server's last reply was 535)"))
        #expect(failure(451, "451 later") == .temporary("smtp://relay.example: failure (the server answered \"451 later\")"))
        #expect(failure(454, "454 4.7.0 Busy") == .temporary("smtp://relay.example: failure (the server answered \"454 4.7.0 Busy\")"))
        #expect(failure(nil, nil) == .temporary("smtp://relay.example: failure"))
        #expect(failure(250, "250 OK") == .temporary("smtp://relay.example: failure (the server answered \"250 OK\")"))
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where python3 has aiosmtpd; CI installs it and runs them always.
    static var needsSMTPSink: Self { .enabled(if: SMTPSink.isAvailable, "needs python3 with aiosmtpd (pip install aiosmtpd)") }
}
