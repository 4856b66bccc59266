@testable import AtriumRuntime
import ChatService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Finding 5: a firm's webhooks never reach internal addresses, neither at creation nor at
/// connect time, and never read an answer's body back to the firm.
@Suite("Webhooks: no internal targets for firm subscriptions (SSRF)")
struct WebhookSSRFTests {
    static let strict = ["ATRIUM_WEBHOOK_ALLOW_PRIVATE_TARGETS": "false"]

    func withChat(
        _ storage: TestStorage, overrides: [String: String] = [:],
        _ body: @escaping @Sendable (ChatTestClient) async throws -> Void
    ) async throws {
        try await ChatTestClient.run(storage, overrides: overrides, body)
    }

    static let internalTargets: [(url: String, why: String)] = [
        ("http://127.0.0.1:8082/x", "loopback"),
        ("http://localhost:8082/x", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.1.2.3/x", "private"),
        ("http://172.16.0.1/x", "private"),
        ("http://192.168.1.1/x", "private"),
        ("http://100.64.0.1/x", "shared"),
        ("http://0.0.0.0:8082/x", "unspecified"),
        ("http://[::1]:8082/x", "loopback"),
        ("http://[::ffff:127.0.0.1]:8082/x", "loopback"),
        ("http://[::ffff:a9fe:a9fe]/x", "link-local"),
        ("http://[fd00::1]/x", "private"),
        ("http://[fe80::1]/x", "link-local"),
        ("http://2130706433:8082/x", "loopback"),
        ("http://0177.0.0.1:8082/x", "loopback"),
        ("http://0x7f.0.0.1:8082/x", "loopback"),
        ("http://0x7f000001:8082/x", "loopback"),
        ("http://127.1:8082/x", "loopback"),
    ]

    @Test("a firm's subscription to an internal address is refused with the reason; a service's is not")
    func refusedAtCreation() async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await withChat(storage, overrides: Self.strict) { chat in
                for (index, target) in Self.internalTargets.enumerated() {
                    let (status, detail) = try await chat.client.execute(
                        uri: "/v1/webhooks/subscriptions/s\(index)", method: .put, headers: .bearer(chat.token),
                        body: try JSON.buffer(["url": target.url, "eventTypes": ["*"]])
                    ) { ($0.status, $0.json["detail"] as? String ?? "") }
                    #expect(status == .badRequest, "\(target.url)")
                    #expect(detail.contains(target.why), "\(target.url): \(detail)")
                }
                let post = try await chat.client.execute(
                    uri: "/v1/webhooks/subscriptions", method: .post, headers: .bearer(chat.token),
                    body: try JSON.buffer(["url": "http://169.254.169.254/", "eventTypes": ["*"]])) { $0.status }
                #expect(post == .badRequest)
                let service = ChatTestClient(client: chat.client, token: try await TestConfiguration.serviceToken("pipeline-service"))
                #expect(try await service.subscribe("pipeline-service.chat", url: "http://127.0.0.1:8083/v1/inbound/chat-events",
                                                    secret: TestConsumer.secret) == .created)
            }
        }
    }

    @Test("an address that turned internal after creation is refused at connect time, and never contacted")
    func refusedAtConnect() async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                // Created while private targets were allowed (as a name that later resolves inside would be) …
                try await withChat(storage, overrides: ["ATRIUM_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"]) { chat in
                    let status = try await chat.subscribe("turned", url: url, secret: TestConsumer.secret)
                    #expect(status == .created)
                }
                // … and delivered by a service that does not allow them.
                try await withChat(storage, overrides: Self.strict.merging(["ATRIUM_WEBHOOK_MAX_ATTEMPTS": "2"]) { _, new in new }) { chat in
                    try await chat.completeThread()
                    try await eventually("the delivery to go dead") { try await !chat.deliveries(query: "status=dead").isEmpty }
                    let dead = try #require(try await chat.deliveries(query: "status=dead").first)
                    #expect((dead["lastError"] as? String)?.contains("loopback") == true, "\(dead)")
                    #expect(await consumer.requests == 0)
                }
            }
        }
    }

    @Test("a firm subscription's failed attempt records the status code, never the answer's body")
    func bodiesAreNotReadBack() async throws {
        let router = Router()
        router.post("/hook") { _, _ in
            Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "root:x:0:0 internal-secret")))
        }
        let endpoint = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await endpoint.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port ?? 0)/hook"
            try await TestStorage.with(.sqlite) { storage in
                try await withChat(storage, overrides: ["ATRIUM_WEBHOOK_MAX_ATTEMPTS": "1"]) { chat in
                    #expect(try await chat.subscribe("reader", url: url, secret: TestConsumer.secret) == .created)
                    try await chat.completeThread()
                    try await eventually("the delivery to go dead") { try await !chat.deliveries(query: "status=dead").isEmpty }
                    let dead = try #require(try await chat.deliveries(query: "status=dead").first)
                    #expect(dead["lastError"] as? String == "HTTP 503")
                    let attempts = try await chat.attempts(delivery: try #require(dead["id"] as? String))
                    #expect(attempts.allSatisfy { ($0["error"] as? String ?? "").contains("internal-secret") == false })
                }
            }
        }
    }
}

/// The address rules on their own, including spellings and ranges the HTTP tests do not reach.
@Suite("Webhook targets: which addresses are internal")
struct WebhookTargetRuleTests {
    @Test("internal addresses are named, public ones pass")
    func rules() async throws {
        for (host, isInternal) in [
            ("8.8.8.8", false), ("1.1.1.1", false), ("2001:4860:4860::8888", false), ("172.32.0.1", false), ("100.128.0.1", false),
            ("127.0.0.1", true), ("10.0.0.1", true), ("172.31.255.255", true), ("169.254.169.254", true), ("0.0.0.0", true),
            ("224.0.0.1", true), ("255.255.255.255", true), ("::", true), ("::1", true), ("fc00::1", true), ("fe80::1", true),
            ("::ffff:10.0.0.1", true), ("64:ff9b::a9fe:a9fe", true), ("2002:7f00:1::1", true), ("ff02::1", true),
        ] {
            let addresses = try await AtriumRuntime.WebhookTarget.resolve(host, port: 80)
            #expect(!addresses.isEmpty, "\(host)")
            #expect(addresses.allSatisfy { (AtriumRuntime.WebhookTarget.refusal(of: $0) != nil) == isInternal }, "\(host)")
        }
    }

    @Test("plain http is pinned to the checked address with the original Host header")
    func pinning() async throws {
        let pinned = try await AtriumRuntime.WebhookTarget.pin("http://8.8.8.8:8080/hook?x=1")
        #expect(pinned.url == "http://8.8.8.8:8080/hook?x=1")
        #expect(pinned.hostHeader == "8.8.8.8:8080")
        await #expect(throws: (any Error).self) { try await AtriumRuntime.WebhookTarget.pin("http://localhost:8080/hook") }
        await #expect(throws: (any Error).self) { try await AtriumRuntime.WebhookTarget.pin("http://[::ffff:7f00:1]/hook") }
    }
}

@Suite("Webhook targets and retention: settings")
struct WebhookSettingsTests {
    @Test("private targets are refused unless allowed; retention defaults to 30 days; bad values stop the start")
    func settings() throws {
        let base = ["ATRIUM_SERVICE_CREDENTIAL": ServiceCredential.derive(root: TestConfiguration.rootSecret, for: "chat-service")]
        let read = { (extra: [String: String]) in
            try ServiceConfiguration(service: .chat, reader: ServiceConfiguration.reader(
                arguments: ["x"], environment: base.merging(extra) { _, new in new }))
        }
        let defaults = try read([:])
        #expect(defaults.webhookDelivery.allowPrivateTargets == false)
        #expect(defaults.retentionDays == 30)
        #expect(try read(["ATRIUM_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"]).webhookDelivery.allowPrivateTargets)
        #expect(try read(["ATRIUM_RETENTION_DAYS": "7"]).retentionDays == 7)
        for (key, value) in [("ATRIUM_WEBHOOK_ALLOW_PRIVATE_TARGETS", "maybe"), ("ATRIUM_RETENTION_DAYS", "0")] {
            #expect(throws: ConfigurationError.self, "\(key)=\(value)") { try read([key: value]) }
        }
    }
}
