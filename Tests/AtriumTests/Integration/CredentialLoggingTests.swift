import AtriumCluster
@testable import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOHTTP1
import OpenAPIRuntime
import SQLKit
import Synchronization
import Testing

/// No log line, at any level, carries a credential: tokens, cookies, passwords, webhook
/// signatures and secrets, invitation and refresh tokens.
@Suite("Credentials never reach the logs")
struct CredentialLoggingTests {
    static let password = "owner password 0123"
    static let wrongPassword = "wrong password 4567"
    static let invitedPassword = "invited password 89ab"
    static let bogusToken = "Bearer bogus-token-c0ffee-1234567890"
    static let cookie = "session=cookie-secret-5a5a5a5a"

    @Test("the real services at trace level, driven through the error paths: the logs hold none of the secrets used")
    func realServices() async throws {
        try await IntegrationHarness.with(.sqlite, settings: ["ATRIUM_LOG_LEVEL": "trace"]) { cluster in
            var secrets = [Self.password, Self.wrongPassword, Self.invitedPassword, "bogus-token-c0ffee", "cookie-secret-5a5a",
                           TestConfiguration.rootSecret]
            secrets += ServiceName.allCases.map { ServiceCredential.derive(root: TestConfiguration.rootSecret, for: $0.displayName) }
            secrets += try await InboundSecrets.all(cluster.topology)
            let account = ServiceHTTP(base: cluster.url(.account))
            let (status, signup) = try await account.send(.POST, "/v1/firms", json: [
                "firmName": "Logs & Co", "owner": ["email": "owner@logs.example", "firstName": "O", "lastName": "W", "password": Self.password]])
            #expect(status == 201)
            let tokens = try #require(signup["tokens"] as? [String: Any])
            let access = try #require(tokens["accessToken"] as? String)
            let refresh = try #require(tokens["refreshToken"] as? String)
            secrets += [access, refresh]
            let owner = ServiceHTTP(base: cluster.url(.account), token: "Bearer \(access)")

            // Sign-in failures, unknown e-mails, malformed bodies.
            _ = try await account.send(.POST, "/v1/auth/token", json: ["email": "owner@logs.example", "password": Self.wrongPassword])
            _ = try await account.send(.POST, "/v1/auth/token", json: ["email": "nobody@logs.example", "password": Self.wrongPassword])
            _ = try await account.send(.POST, "/v1/auth/token", raw: Data(#"{"email":"owner@logs.example","password":"\#(Self.wrongPassword)""#.utf8))
            _ = try await account.send(.POST, "/v1/auth/token", json: ["email": 5, "password": Self.wrongPassword])
            // Bad tokens and cookies, on every service.
            for service in ServiceName.allCases {
                _ = try await ServiceHTTP(base: cluster.url(service), token: Self.bogusToken).send(.GET, "/v1/me", headers: [("cookie", Self.cookie)])
                _ = try await ServiceHTTP(base: cluster.url(service), token: "Bearer \(access)x").send(.GET, "/v1/webhooks/deliveries",
                                                                                                   headers: [("cookie", Self.cookie)])
                _ = try await ServiceHTTP(base: cluster.url(service), token: "Bearer \(access)").send(.POST, "/v1/webhooks/subscriptions",
                                                                                                  raw: Data("{not json".utf8))
            }
            // Refresh: once, twice (reuse), and made up.
            let rotated = try await account.send(.POST, "/v1/auth/refresh", json: ["refreshToken": refresh])
            secrets += [(rotated.json["refreshToken"] as? String) ?? "", (rotated.json["accessToken"] as? String) ?? ""].filter { !$0.isEmpty }
            _ = try await account.send(.POST, "/v1/auth/refresh", json: ["refreshToken": refresh])
            _ = try await account.send(.POST, "/v1/auth/refresh", json: ["refreshToken": 42])
            // An invitation, accepted with the token from the event, then again (used).
            #expect(try await owner.send(.POST, "/v1/team-members", json: ["email": "new@logs.example", "firstName": "N", "lastName": "M"]).status == 201)
            let invitation = try await Self.invitationToken(cluster)
            secrets.append(invitation)
            #expect(try await account.send(.POST, "/v1/invitations/accept", json: ["token": invitation, "password": Self.invitedPassword]).status == 200)
            _ = try await account.send(.POST, "/v1/invitations/accept", json: ["token": invitation, "password": Self.invitedPassword])
            // Signed webhooks flow (directory events to every service); a forged one is refused.
            _ = try await ServiceHTTP(base: cluster.url(.pipeline)).send(.POST, "/v1/inbound/chat-events", headers: [
                ("webhook-id", "msg_x"), ("webhook-timestamp", "\(Int(Date().timeIntervalSince1970))"),
                ("webhook-signature", "v1,Zm9yZ2VkLXNpZ25hdHVyZS1mb3ItdGhlLWxvZ3MtdGVzdA==")], raw: Data("{}".utf8))
            secrets.append("Zm9yZ2VkLXNpZ25hdHVyZS1mb3ItdGhlLWxvZ3MtdGVzdA")

            let logs = try Self.allLogs(cluster)
            #expect(logs.count > 2000, "trace logging was on")
            for secret in secrets {
                #expect(!logs.contains(secret), "a log holds \(secret.prefix(12))…: \(Self.line(containing: secret, in: logs))")
            }
            for pattern in [#"\$2[abxy]\$\d\d\$"#, #"v1,[A-Za-z0-9+/=]{40,}"#, #"eyJ[A-Za-z0-9_-]+\.eyJ"#] {
                let found = logs.range(of: pattern, options: .regularExpression)
                #expect(found == nil, "a log matches \(pattern): \(found.map { String(logs[$0]) } ?? "")")
            }
        }
    }

    /// The token of the one pending invitation, as NotifyService would fetch it.
    static func invitationToken(_ cluster: Cluster) async throws -> String {
        let directory = try #require(cluster.processes[.account]).logFile.deletingLastPathComponent().deletingLastPathComponent()
        let database = try await Database.open(url: nil, schema: "account", sqlitePath: directory.appendingPathComponent("account.sqlite").path,
                                               logger: Logger(label: "test"))
        let row = try await database.sql.raw("SELECT id FROM invitations WHERE used_at IS NULL AND id IS NOT NULL").first()
        try await database.close()
        let id = try #require(try row?.decode(column: "id", as: String.self))
        let notify = ServiceHTTP(base: cluster.url(.account), token: try await TestConfiguration.serviceToken("notify-service"))
        return try #require(try await notify.send(.GET, "/v1/invitations/\(id)/link").json["token"] as? String)
    }

    static func allLogs(_ cluster: Cluster) throws -> String {
        try cluster.processes.values.map { try String(contentsOf: $0.logFile, encoding: .utf8) }.joined(separator: "\n")
    }

    static func line(containing secret: String, in logs: String) -> String {
        String(logs.split(separator: "\n").first { $0.contains(secret) }?.prefix(400) ?? "")
    }

    @Test("an unhandled error is logged without the request's headers or decoded input")
    func unhandledError() async throws {
        let lines = CapturedLines()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
        var head = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/v1/auth/token")
        head.headerFields[.authorization] = Self.bogusToken
        head.headerFields[.cookie] = Self.cookie
        let error = ServerError(operationID: "login", request: head, requestBody: nil, requestMetadata: .init(),
                                operationInput: ["password": Self.password], operationOutput: nil, causeDescription: "handler failed",
                                underlyingError: CocoaError(.fileReadUnknown), httpStatus: .internalServerError, httpHeaderFields: [:], httpBody: nil)
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.post("/v1/auth/token") { _, _ -> Response in throw error }
        try await Application(router: router, logger: logger).test(.router) { client in
            try await client.execute(uri: "/v1/auth/token", method: .post, headers: [.authorization: Self.bogusToken, .cookie: Self.cookie]) {
                #expect($0.status == .internalServerError)
            }
        }
        let logged = lines.value.withLock { $0.joined(separator: "\n") }
        #expect(logged.contains("login"), "the operation is still named: \(logged)")
        for secret in ["bogus-token-c0ffee", "cookie-secret-5a5a", Self.password] {
            #expect(!logged.contains(secret), "\(logged)")
        }
    }

    @Test("the redacting handler scrubs whatever a library logs")
    func scrubbing() {
        let samples = [
            "authorization: Bearer abc.def.ghi; content-type: application/json",
            #"[("Authorization", "Basic dXNlcjpwYXNz"), ("Cookie", "a=b")]"#,
            #"{"email":"a@b.example","password":"hunter2hunter2","refreshToken":"r3fr3sh"}"#,
            #"Input(body: LoginInput(email: "a@b.example", password: "hunter2hunter2"))"#,
            "webhook-signature: v1,c2lnbmF0dXJlc2lnbmF0dXJlc2ln whsec_c2VjcmV0c2VjcmV0c2VjcmV0",
            "$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        ]
        for sample in samples {
            let scrubbed = LogRedaction.scrub(sample)
            for secret in ["abc.def", "dXNlcjpwYXNz", "a=b", "hunter2", "r3fr3sh", "c2lnbmF0dXJl", "c2VjcmV0", "abcdefghijklmnop"] {
                #expect(!scrubbed.contains(secret), "\(sample) → \(scrubbed)")
            }
        }
        #expect(LogRedaction.scrub(.array(["x", "y"]), key: "binds") == .string("<redacted>"))
        #expect(LogRedaction.scrub("GET /v1/me 401 request_id=abc") == "GET /v1/me 401 request_id=abc", "ordinary lines stay as they are")
    }
}

/// Lines a `CapturingLogHandler` kept.
final class CapturedLines: Sendable {
    let value = Mutex<[String]>([])
}

/// Keeps every line as it was logged (no redaction: what the caller wrote is what is checked).
struct CapturingLogHandler: LogHandler {
    let lines: CapturedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let line = "\(event.message) \(event.metadata ?? [:])"
        lines.value.withLock { $0.append(line) }
    }
}
