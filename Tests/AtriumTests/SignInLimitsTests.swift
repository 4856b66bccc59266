@testable import AccountService
import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Sign-in must not starve the machine nor tell who has an account: per-client and per-e-mail
/// limits (429 with Retry-After), a bound on concurrent hashing, the same answers for strangers.
@Suite("Sign-in limits")
struct SignInLimitsTests {
    static let password = "correct horse battery"

    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        private let seconds = Mutex<Double>(1000)
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
        var now: @Sendable () -> Double { { [self] in seconds.withLock { $0 } } }
    }

    @Test("token bucket: the burst, then one attempt per refill; a reset gives the burst back")
    func bucket() {
        let clock = ManualClock()
        let limiter = RateLimiter(burst: 3, refill: .seconds(10), now: clock.now)
        #expect((0..<3).map { _ in limiter.take("a") } == [nil, nil, nil])
        #expect(limiter.take("a") == 10)
        #expect(limiter.take("b") == nil, "keys are independent")
        clock.advance(4)
        #expect(limiter.wait("a") == 6)
        clock.advance(6)
        #expect(limiter.wait("a") == nil)
        #expect(limiter.take("a") == nil)
        #expect(limiter.take("a") == 10)
        limiter.reset("a")
        #expect(limiter.take("a") == nil)
        clock.advance(1000)
        #expect((0..<3).map { _ in limiter.take("a") } == [nil, nil, nil], "refills never exceed the burst")
        #expect(limiter.take("a") != nil)
    }

    @Test("idle keys are forgotten when there are too many")
    func boundedKeys() {
        let clock = ManualClock()
        let limiter = RateLimiter(burst: 2, refill: .seconds(1), maxKeys: 10, now: clock.now)
        for index in 0..<10 { limiter.take("k\(index)") }
        clock.advance(5)
        limiter.take("hot")
        limiter.take("hot")
        #expect(limiter.take("hot") != nil, "a spent key is remembered")
    }

    @Test("hashing: at most `slots` at once, `queue` more wait, the next is refused with 503")
    func hashingBound() async throws {
        let limiter = HashingLimiter(slots: 1, queue: 1)
        let gate = DispatchSemaphore(value: 0)
        let running = Mutex((now: 0, most: 0))
        let work: @Sendable () -> Int = {
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            gate.wait()
            running.withLock { $0.now -= 1 }
            return 1
        }
        let first = Task { try await limiter.run(work) }
        try await eventually("the first hash runs") { limiter.load.running == 1 }
        let second = Task { try await limiter.run(work) }
        try await eventually("the second hash waits") { limiter.load.waiting == 1 }
        await #expect(throws: AccountError.busy) { try await limiter.run(work) }
        gate.signal()
        gate.signal()
        #expect(try await first.value + second.value == 2)
        #expect(running.withLock { $0.most } == 1)
        #expect(limiter.load.running == 0 && limiter.load.waiting == 0)
    }

    static func withAccount(_ overrides: [String: String], hashCost: Int = 4,
                            _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await TestStorage.with(.sqlite) { storage in
            let configuration = try TestConfiguration.make(.account, storage: storage, overrides: overrides.merging(
                ["ATRIUM_PASSWORD_HASH_COST": "\(hashCost)"]) { kept, _ in kept })
            let app = try await AccountService.buildApplication(configuration)
            try await app.test(.router) { client in try await body(client) }
        }
    }

    static func post(_ client: any TestClientProtocol, _ path: String, _ body: [String: Any])
        async throws -> (status: HTTPResponse.Status, problem: [String: Any], retryAfter: String?) {
        try await client.execute(uri: path, method: .post, headers: [.contentType: "application/json"], body: try JSON.buffer(body)) {
            ($0.status, $0.json, $0.headers[.retryAfter])
        }
    }

    static func signup(_ client: any TestClientProtocol, email: String) async throws -> HTTPResponse.Status {
        try await post(client, "/v1/firms", ["firmName": "Ledger", "owner": ["email": email, "firstName": "O", "lastName": "W",
                                                                              "password": password]]).status
    }

    @Test("per client: the burst of password attempts, then 429 rate-limited with Retry-After, on every password route")
    func perClient() async throws {
        try await Self.withAccount(["ATRIUM_SIGNIN_CLIENT_BURST": "4", "ATRIUM_SIGNIN_CLIENT_REFILL_MS": "60000"]) { client in
            #expect(try await Self.signup(client, email: "owner@firm.example") == .created)
            for index in 0..<3 {
                #expect(try await Self.post(client, "/v1/auth/token", ["email": "x\(index)@firm.example", "password": "wrong password"]).status == .unauthorized)
            }
            for (path, body) in [
                ("/v1/auth/token", ["email": "owner@firm.example", "password": Self.password]),
                ("/v1/auth/contact-token", ["firmId": "firm_x", "email": "c@firm.example", "password": Self.password]),
                ("/v1/firms", ["firmName": "F", "owner": ["email": "new@firm.example", "firstName": "A", "lastName": "B", "password": Self.password]]),
                ("/v1/invitations/accept", ["token": "nope", "password": Self.password]),
            ] as [(String, [String: Any])] {
                let (status, problem, retryAfter) = try await Self.post(client, path, body)
                #expect(status == .tooManyRequests, "\(path)")
                #expect(problem["type"] as? String == "https://atrium.dev/problems/rate-limited", "\(path)")
                #expect(retryAfter.flatMap(Int.init).map { (1...60).contains($0) } == true, "\(path): Retry-After \(retryAfter ?? "nil")")
            }
        }
    }

    @Test("per e-mail: a stranger's address and a customer's get the same answers, and the same 429, after the same failures")
    func noOracle() async throws {
        try await Self.withAccount(["ATRIUM_SIGNIN_ACCOUNT_BURST": "3", "ATRIUM_SIGNIN_ACCOUNT_REFILL_MS": "60000"]) { client in
            #expect(try await Self.signup(client, email: "owner@firm.example") == .created)
            var answers: [String: [String]] = [:]
            for email in ["owner@firm.example", "stranger@firm.example"] {
                for _ in 0..<4 {
                    var (status, problem, retryAfter) = try await Self.post(client, "/v1/auth/token", ["email": email, "password": "wrong password"])
                    problem["instance"] = nil
                    // The wait counts down while the test runs (bcrypt takes its time on a busy machine): the
                    // same answer within a few seconds is the same answer.
                    let wait = retryAfter.flatMap(Int.init).map { (50...60).contains($0) ? "50-60" : "\($0)" } ?? "-"
                    let detail = (problem["detail"] as? String)?.replacing(/\d+ seconds/, with: "N seconds")
                    problem["detail"] = detail
                    answers[email, default: []].append("\(status.code) \(wait) \(problem.sorted { $0.key < $1.key })")
                }
            }
            #expect(answers["owner@firm.example"] == answers["stranger@firm.example"])
            #expect(answers["owner@firm.example"]?.last?.hasPrefix("429 50-60") == true, "\(answers)")
            let right = try await Self.post(client, "/v1/auth/token", ["email": "owner@firm.example", "password": Self.password])
            #expect(right.status == .tooManyRequests, "the right password waits too: no hint that it was right")
            #expect(right.problem["type"] as? String == "https://atrium.dev/problems/too-many-attempts")
            #expect(try await Self.post(client, "/v1/auth/token", ["email": "other@firm.example", "password": "wrong password"]).status
                    == .unauthorized, "other addresses are not affected")
        }
    }

    @Test("an unknown e-mail costs a password check too: its answer takes about as long")
    func sameTime() async throws {
        // At cost 12 a hash takes about a quarter of a second: far above the noise of a busy
        // machine, so "about as long" can be told apart from "no hash at all" (a few ms).
        try await Self.withAccount([:], hashCost: 12) { client in
            #expect(try await Self.signup(client, email: "owner@firm.example") == .created)
            func fastest(_ email: String) async throws -> Duration {
                var best = Duration.seconds(60)
                for _ in 0..<3 {
                    let started = ContinuousClock.now
                    _ = try await Self.post(client, "/v1/auth/token", ["email": email, "password": "wrong password"])
                    best = min(best, ContinuousClock.now - started)
                }
                return best
            }
            let known = try await fastest("owner@firm.example")
            let unknown = try await fastest("stranger@firm.example")
            #expect(unknown > known / 3 && unknown < known * 3, "known \(known), unknown \(unknown)")
        }
    }
}
