@testable import AtriumRuntime
import Foundation
import Testing

@Suite("Runtime building blocks")
struct RuntimeUnitTests {
    @Test("traceparent: parses valid headers, refuses malformed ones, children keep the trace")
    func traceparent() throws {
        let parent = try #require(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(parent.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parent.sampled)
        let child = parent.child()
        #expect(child.traceID == parent.traceID)
        #expect(child.spanID != parent.spanID)
        #expect(TraceParent(header: child.description) == child)
        for bad in ["", "00-xyz-00f067aa0ba902b7-01", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    "00-00000000000000000000000000000000-00f067aa0ba902b7-01"] {
            #expect(TraceParent(header: bad) == nil)
        }
    }

    @Test("public routes match templates by method and segment count only")
    func publicRoutes() {
        let routes = PublicRoutes([("POST", "/v1/auth/token"), ("POST", "/v1/inbound/{source}")])
        #expect(routes.contains(method: "POST", path: "/v1/auth/token"))
        #expect(routes.contains(method: "POST", path: "/v1/inbound/chat-events"))
        #expect(!routes.contains(method: "GET", path: "/v1/auth/token"))
        #expect(!routes.contains(method: "POST", path: "/v1/auth/token/extra"))
        #expect(!routes.contains(method: "POST", path: "/v1/inbound"))
    }

    @Test("configuration: ATRIUM_ variables, command line first, each service's own secret required and never printed")
    func configuration() throws {
        let credential = ServiceCredential.derive(root: TestConfiguration.rootSecret, for: "pipeline-service")
        let environment = ["ATRIUM_SERVICE_CREDENTIAL": credential, "ATRIUM_PORT": "9100",
                           "ATRIUM_CHAT_URL": "http://chat.internal:80", "ATRIUM_WEBHOOK_MAX_ATTEMPTS": "3"]
        let configuration = try ServiceConfiguration(
            service: .pipeline, reader: ServiceConfiguration.reader(arguments: ["x", "--port", "9200"], environment: environment))
        #expect(configuration.port == 9200)
        #expect(configuration.serviceURLs[.chat] == "http://chat.internal:80")
        #expect(configuration.publicURL == "http://127.0.0.1:9200")
        #expect(configuration.webhookDelivery.maxAttempts == 3)
        #expect(configuration.serviceCredential == credential && configuration.accountSecret == nil)
        #expect(!"\(configuration)".contains(credential))
        let read = { (service: ServiceName, environment: [String: String]) in
            try ServiceConfiguration(service: service, reader: ServiceConfiguration.reader(arguments: ["x"], environment: environment))
        }
        #expect(throws: ConfigurationError.self, "a service without its credential") { try read(.chat, [:]) }
        #expect(throws: ConfigurationError.self, "AccountService without its secret") { try read(.account, ["ATRIUM_SERVICE_CREDENTIAL": credential]) }
        #expect(throws: ConfigurationError.self, "a short secret") { try read(.account, ["ATRIUM_ACCOUNT_SECRET": "short"]) }
        let account = try read(.account, ["ATRIUM_ACCOUNT_SECRET": TestConfiguration.rootSecret])
        #expect(account.accountSecret == TestConfiguration.rootSecret && !"\(account)".contains(TestConfiguration.rootSecret))
        for (key, value) in [("ATRIUM_LOG_LEVEL", "loud"), ("ATRIUM_PORT", "80a"), ("ATRIUM_PORT", "70000"),
                             ("ATRIUM_WEBHOOK_CONCURRENCY", "0"), ("ATRIUM_JWT_ACCESS_TTL_SECONDS", "-5"),
                             ("ATRIUM_JWT_VERIFICATION_KEYS", "not-a-key")] {
            #expect(throws: ConfigurationError.self, "\(key)=\(value)") {
                try read(.chat, ["ATRIUM_SERVICE_CREDENTIAL": credential, key: value])
            }
        }
    }

    @Test("service credentials: one per name, checked exactly")
    func serviceCredentials() {
        let root = TestConfiguration.rootSecret
        let chat = ServiceCredential.derive(root: root, for: "chat-service")
        #expect(ServiceCredential.matches(chat, root: root, for: "chat-service"))
        #expect(!ServiceCredential.matches(chat, root: root, for: "notify-service"), "one service's credential is not another's")
        #expect(!ServiceCredential.matches(chat, root: root + "x", for: "chat-service"))
        #expect(!ServiceCredential.matches(String(chat.dropLast()), root: root, for: "chat-service"))
    }

    @Test("member standing: older tokens and portal views are refused, deactivation refuses all, an older event never wins")
    func standing() {
        let cache = DirectoryCache()
        let member = { (standing: Int64) in Caller(kind: .member, subject: "mem_1", firmID: "firm_1", role: .employee, standing: standing) }
        let view = { (standing: Int64) in
            Caller(kind: .contact, subject: "con_1", firmID: "firm_1",
                   portalView: PortalView(memberID: "mem_1", accountID: "acct_1", role: .employee, rights: [], standing: standing))
        }
        #expect(cache.refusal(of: member(0)) == nil, "nothing known: the token stands")
        cache.store(member: "mem_1", MemberStanding(active: true, version: 2))
        #expect(cache.refusal(of: member(1)) != nil && cache.refusal(of: view(1)) != nil)
        #expect(cache.refusal(of: member(2)) == nil && cache.refusal(of: view(2)) == nil)
        cache.store(member: "mem_1", MemberStanding(active: false, version: 1))
        #expect(cache.refusal(of: member(2)) == nil, "a late, older event is ignored")
        cache.store(member: "mem_1", MemberStanding(active: false, version: 3))
        #expect(cache.refusal(of: member(3))?.contains("deactivated") == true && cache.refusal(of: view(3)) != nil)
        #expect(cache.refusal(of: Caller(kind: .contact, subject: "mem_1", firmID: "firm_1")) == nil, "contacts are not members")
    }

    @Test("directory cache: a newer grant or policy is never replaced by an older one; stale entries are not served; size is bounded")
    func directoryCache() {
        let grant = { (account: String, version: Int64) in
            AccountGrant(accountID: account, firmID: "firm_1", version: version, memberIDs: ["mem_\(version)"], contactIDs: [])
        }
        let cache = DirectoryCache(capacity: 4)
        cache.store(grant("acct_1", 2))
        cache.store(grant("acct_1", 1))
        #expect(cache.grant("acct_1")?.version == 2, "a late fetch or redelivery does not roll back")
        cache.store(grant("acct_1", 3))
        #expect(cache.grant("acct_1")?.memberIDs == ["mem_3"])
        let policy = { (days: Int, at: TimeInterval) in
            FirmPolicy(firmID: "firm_1", clientsMayStartChats: true, showContentInEmails: false, reminderDays: days, reminderCount: 1,
                       changedAt: Date(timeIntervalSince1970: at))
        }
        cache.store(policy(5, 200))
        cache.store(policy(3, 100))
        #expect(cache.policy("firm_1")?.reminderDays == 5)
        for number in 2...5 { cache.store(grant("acct_\(number)", 1)) }
        #expect(cache.grant("acct_5") != nil && cache.grant("acct_1") == nil, "past capacity the oldest half goes")

        let expiring = DirectoryCache(lifetime: .zero)
        expiring.store(grant("acct_1", 1))
        #expect(expiring.grant("acct_1") == nil, "an entry past its lifetime is a miss")
    }

    @Test("retry delays grow exponentially with jitter and stay under the cap")
    func backoff() {
        let settings = WebhookDeliverySettings(retryBase: .milliseconds(100), maxDelay: .seconds(2))
        for attempt in 1...8 {
            let full = min(2000, 100 * (1 << (attempt - 1)))
            let delay = settings.backoffMillis(afterAttempt: attempt)
            #expect(delay >= Int64(full / 2) && delay <= Int64(full), "attempt \(attempt): \(delay) ms")
        }
    }
}

@Suite("Outbox signal")
struct OutboxSignalTests {
    @Test("after a timed-out wait, the next wait still blocks until notified (an idle dispatcher sleeps)")
    func waitsAfterTimeout() async throws {
        let signal = OutboxSignal()
        var waiter = signal.makeWaiter()
        await waiter.wait(timeout: .milliseconds(10))  // times out: nothing was notified
        let finished = Task { [waiter] in
            var waiter = waiter
            await waiter.wait(timeout: .seconds(60))
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(100))
        let notified = ContinuousClock.now
        signal.notify()
        #expect(await finished.value >= notified, "the wait returned before anything was notified")
    }

    @Test("notifications while nobody waits coalesce into one wake-up")
    func coalesces() async {
        let signal = OutboxSignal()
        var waiter = signal.makeWaiter()
        for _ in 0..<5 { signal.notify() }
        await waiter.wait(timeout: .seconds(60))  // returns at once: a notification is pending
    }
}
