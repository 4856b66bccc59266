import ArgumentParser
import AsyncHTTPClient
import AtriumCluster
import AtriumRuntime
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import Synchronization

/// `atrium bench`: start-up time, idle memory, webhook latency, and sign-in and token-verification
/// throughput of the real services.
///
/// Run it on a release build (`swift run -c release atrium bench`). Every figure comes with a
/// baseline measured in the same run, because these machines are noisy.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure start-up, idle memory and webhook delivery latency.")

    @Option(help: "Events to deliver for the latency figure.")
    var events = 1000

    @Option(help: "Start-ups to time.")
    var startups = 5

    @Option(help: "Seconds to drive each route for the throughput figures.")
    var throughputSeconds = 5

    @Option(help: "Concurrent connections for the throughput figures.")
    var concurrency = 16

    @Option(help: "Run on PostgreSQL at this URL instead of SQLite.")
    var postgres: String?

    func run() async throws {
        let binDirectory = try Launcher.binDirectory()
        let secret = String(repeating: "b", count: 40)
        var readyTimes: [Int64] = []
        for _ in 0..<startups {
            let (cluster, elapsed) = try await BenchCluster.start(binDirectory: binDirectory, secret: secret, postgres: postgres)
            readyTimes.append(elapsed)
            await cluster.stop()
        }
        say("start-up to all five ready and wired (ms), \(startups) runs: \(readyTimes.sorted()) → median \(readyTimes.sorted()[readyTimes.count / 2])")
        let (cluster, _) = try await BenchCluster.start(binDirectory: binDirectory, secret: secret, postgres: postgres)
        do {
            try await Task.sleep(for: .seconds(3))
            for service in ServiceName.allCases {
                let memory = BenchMemory(pid: cluster.processes[service]?.processIdentifier)
                say("idle RSS \(service.displayName): \(memory.rss / 1024) MiB — \(memory.breakdown)")
            }
            try await WebhookLatency(cluster: cluster, secret: secret, events: events).measure()
            try await AuthThroughput(cluster: cluster, seconds: throughputSeconds, concurrency: concurrency).measure()
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}

enum BenchCluster {
    /// Starts all five on free ports; returns the cluster and the milliseconds until ready and wired.
    static func start(binDirectory: URL, secret: String, postgres: String?, settings: [String: String] = [:]) async throws -> (Cluster, Int64) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-bench-\(UUID().uuidString)")
        let ports = try FreePorts.take(ServiceName.allCases.count)
        var assigned: [ServiceName: Int] = [:]
        for (service, port) in zip(ServiceName.allCases, ports) { assigned[service] = port }
        let topology = Topology.local(
            ports: assigned, dataDirectory: directory.path, databaseURL: postgres,
            schemaPrefix: "bench\(Int.random(in: 0..<1_000_000))_", rootSecret: secret,
            // The bench signs in from one address as fast as it can: the per-client limit would measure itself.
            sharedSettings: ["ATRIUM_LOG_LEVEL": "warning", "ATRIUM_SIGNIN_CLIENT_BURST": "1000000",
                             // The bench consumer listens on loopback, which firm subscriptions may not reach by default.
                             "ATRIUM_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"].merging(settings) { _, new in new })
        let started = ContinuousClock.now
        let cluster = try Cluster.start(topology, binDirectory: binDirectory, logDirectory: directory.appendingPathComponent("logs"))
        try await cluster.waitUntilReady()
        try await cluster.waitUntilWired(tokens: Launcher.serviceTokens(cluster, root: secret))
        return (cluster, (ContinuousClock.now - started).milliseconds)
    }

}

/// Where a process's resident memory is, from `/proc/<pid>/smaps`, in KiB: RSS counts every page
/// mapped in, including clean pages of the executable and of shared libraries that the kernel
/// can drop and read back at any time (and that the five services share, for the libraries).
struct BenchMemory {
    var rss = 0
    /// Clean pages of the service's own executable (its code).
    var executable = 0
    /// Clean pages of shared libraries (Swift runtime, Foundation, ICU, libc…).
    var libraries = 0
    /// Pages only this process wrote: heap, stacks, relocated data — what it really costs.
    var privateDirty = 0
    /// Proportional share: shared pages divided among the processes mapping them.
    var pss = 0

    init(pid: Int32?) {
        // Read to the end: a /proc file reports size 0, and a read sized by it stops early.
        guard let pid, let file = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps"),
              let data = try? file.readToEnd(), let smaps = String(data: data, encoding: .utf8) else { return }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
        var mapping = ""
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let key = fields.first else { continue }
            if key.contains("-"), fields.count >= 5 {
                mapping = fields.count >= 6 ? String(fields[5]) : ""
                continue
            }
            let kib = fields.count >= 2 ? Int(fields[1]) ?? 0 : 0
            switch key {
            case "Rss:": rss += kib
            case "Pss:": pss += kib
            case "Private_Dirty:": privateDirty += kib
            case "Private_Clean:", "Shared_Clean:":
                if mapping == executable { self.executable += kib } else if mapping.hasPrefix("/") { libraries += kib }
            default: break
            }
        }
    }

    var breakdown: String {
        "executable code \(executable / 1024) MiB, shared libraries \(libraries / 1024) MiB, private dirty \(privateDirty / 1024) MiB; PSS \(pss / 1024) MiB"
    }
}

/// Time from the request that checks a thread's last task to the signed webhook reaching a consumer.
struct WebhookLatency {
    let cluster: Cluster
    let secret: String
    let events: Int

    func measure() async throws {
        let arrivals = Arrivals()
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 1 << 20)
            arrivals.record(ContinuousClock.now)
            return .noContent
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { arrivals.port.store($0.localAddress?.port ?? 0, ordering: .relaxed) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            while arrivals.port.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            try await run(consumer: "http://127.0.0.1:\(arrivals.port.load(ordering: .relaxed))/hook", arrivals: arrivals)
            group.cancelAll()
        }
    }

    private func run(consumer: String, arrivals: Arrivals) async throws {
        let (member, account) = try await BenchFirm.signUp(cluster)
        let chat = cluster.url(.chat)
        _ = try await BenchHTTP.send(.PUT, chat + "/v1/webhooks/subscriptions/bench", token: member,
                                     json: ["url": consumer, "eventTypes": ["chat.thread.tasks_completed"]])
        var baseline: [Double] = []
        var latencies: [Double] = []
        var patches: [Double] = []
        for index in 0..<(events + 20) {
            let thread = try await BenchHTTP.send(.POST, chat + "/v1/threads", token: member,
                                                  json: ["accountId": account, "subject": "Bench \(index)", "tasks": [["text": "Only task"]]])
            guard let id = thread["id"] as? String, let task = (thread["tasks"] as? [[String: Any]])?.first?["id"] as? String else {
                throw ValidationError("unexpected thread response: \(thread)")
            }
            let bare = ContinuousClock.now
            _ = try await BenchHTTP.send(.GET, chat + "/health/live", token: nil, json: nil)
            let bareElapsed = ContinuousClock.now - bare
            let expected = arrivals.count + 1
            let sent = ContinuousClock.now
            _ = try await BenchHTTP.send(.PATCH, chat + "/v1/threads/\(id)/tasks/\(task)", token: member, json: ["done": true])
            let answered = ContinuousClock.now - sent
            let arrived = try await arrivals.wait(for: expected)
            guard index >= 20 else { continue }  // warm-up
            latencies.append((arrived - sent).fractionalMilliseconds)
            patches.append(answered.fractionalMilliseconds)
            baseline.append(bareElapsed.fractionalMilliseconds)
        }
        let p = { (values: [Double], q: Double) -> Double in values.sorted()[min(values.count - 1, Int(Double(values.count) * q))] }
        say(String(format: "webhook latency over %d events (PATCH sent → webhook received): p50 %.2f ms, p99 %.2f ms",
                   latencies.count, p(latencies, 0.5), p(latencies, 0.99)))
        say(String(format: "of which the PATCH itself (its transaction writes the outbox row): p50 %.2f ms, p99 %.2f ms",
                   p(patches, 0.5), p(patches, 0.99)))
        say(String(format: "baseline GET /health/live round trip, same run: p50 %.2f ms, p99 %.2f ms → p50 ratio %.1fx",
                   p(baseline, 0.5), p(baseline, 0.99), p(latencies, 0.5) / p(baseline, 0.5)))
    }
}

/// Arrival times at the bench consumer.
final class Arrivals: Sendable {
    let port = Atomic<Int>(0)
    private let times = Mutex<[ContinuousClock.Instant]>([])

    var count: Int { times.withLock { $0.count } }

    func record(_ instant: ContinuousClock.Instant) { times.withLock { $0.append(instant) } }

    func wait(for count: Int) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            if let instant = times.withLock({ $0.count >= count ? $0[count - 1] : nil }) { return instant }
            guard ContinuousClock.now < deadline else { throw ValidationError("webhook \(count) never arrived") }
            await Task.yield()
        }
    }
}

enum BenchHTTP {
    static func send(_ method: HTTPMethod, _ url: String, token: String?, json: Any?) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "authorization", value: token) }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else { throw ValidationError("\(method) \(url): \(response.status)") }
        return (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
}

extension Duration {
    var fractionalMilliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

/// A firm signed up through AccountService for the bench, with one account.
enum BenchFirm {
    static let password = "bench password 0123"

    /// The owner's bearer header and an account id.
    static func signUp(_ cluster: Cluster) async throws -> (String, String) {
        let account = cluster.url(.account)
        let email = "owner-\(UUID().uuidString.prefix(8).lowercased())@bench.example"
        let signup = try await BenchHTTP.send(.POST, account + "/v1/firms", token: nil, json: [
            "firmName": "Bench & Co", "owner": ["email": email, "firstName": "Bea", "lastName": "Bench", "password": password],
        ])
        guard let token = (signup["tokens"] as? [String: Any])?["accessToken"] as? String else { throw ValidationError("sign-up failed: \(signup)") }
        let created = try await BenchHTTP.send(.POST, account + "/v1/accounts", token: "Bearer " + token, json: ["name": "Bench Ltd", "kind": "company"])
        guard let id = created["id"] as? String else { throw ValidationError("account creation failed: \(created)") }
        return ("Bearer " + token, id)
    }
}

/// Requests per second through sign-in and token verification, each against a bare route of the
/// same service in the same run.
struct AuthThroughput {
    let cluster: Cluster
    let seconds: Int
    let concurrency: Int

    func measure() async throws {
        let account = cluster.url(.account)
        let chat = cluster.url(.chat)
        let email = "owner-\(UUID().uuidString.prefix(8).lowercased())@bench.example"
        let signup = try await BenchHTTP.send(.POST, account + "/v1/firms", token: nil, json: [
            "firmName": "Throughput & Co", "owner": ["email": email, "firstName": "Tia", "lastName": "Put", "password": BenchFirm.password],
        ])
        guard let token = (signup["tokens"] as? [String: Any])?["accessToken"] as? String else { throw ValidationError("sign-up failed") }
        let bearer = "Bearer " + token
        let bare = try await rate(.GET, chat + "/health/live", token: nil, json: nil)
        say(String(format: "baseline GET /health/live (chat-service), %d connections: %.0f req/s", concurrency, bare))
        let verified = try await rate(.GET, chat + "/v1/webhooks/event-types", token: bearer, json: nil)
        say(String(format: "token verification, GET /v1/webhooks/event-types (chat-service, no database): %.0f req/s → %.2f of bare", verified, verified / bare))
        let me = try await rate(.GET, account + "/v1/me", token: bearer, json: nil)
        say(String(format: "token verification + one row, GET /v1/me (account-service): %.0f req/s → %.2f of bare", me, me / bare))
        let folders = try await rate(.GET, try await assignedFolderListing(owner: bearer), token: try await employeeBearer, json: nil)
        say(String(format: "access check + query, GET /v1/accounts/{id}/folders (doc-service, assigned employee: grant from the cache): %.0f req/s → %.2f of bare",
                    folders, folders / bare))
        let login = try await rate(.POST, account + "/v1/auth/token", token: nil, json: ["email": email, "password": BenchFirm.password])
        say(String(format: "sign-in, POST /v1/auth/token (bcrypt cost 12 + refresh session row): %.1f req/s → %.4f of bare", login, login / bare))
    }

    var employeeEmail: String { "employee@throughput.example" }

    var employeeBearer: String {
        get async throws {
            let login = try await BenchHTTP.send(.POST, cluster.url(.account) + "/v1/auth/token", token: nil,
                                                 json: ["email": employeeEmail, "password": BenchFirm.password])
            return "Bearer " + (login["accessToken"] as? String ?? "")
        }
    }

    /// An account with three folders and an employee assigned to it (who must pass the grant check);
    /// returns the folder listing's URL.
    private func assignedFolderListing(owner: String) async throws -> String {
        let account = cluster.url(.account)
        let member = try await BenchHTTP.send(.POST, account + "/v1/team-members", token: owner, json: [
            "email": employeeEmail, "firstName": "Em", "lastName": "Ployee", "password": BenchFirm.password,
        ])
        let created = try await BenchHTTP.send(.POST, account + "/v1/accounts", token: owner, json: ["name": "Folders Ltd", "kind": "company"])
        guard let memberID = member["id"] as? String, let accountID = created["id"] as? String else { throw ValidationError("set-up failed") }
        _ = try await BenchHTTP.send(.POST, account + "/v1/accounts/\(accountID)/access", token: owner, json: ["give": [memberID]])
        let listing = cluster.url(.doc) + "/v1/accounts/\(accountID)/folders"
        for name in ["Tax", "Payroll", "Bank"] {
            _ = try await BenchHTTP.send(.POST, listing, token: owner, json: ["name": name])
        }
        return listing
    }

    /// Successful responses per second with `concurrency` clients for `seconds`.
    private func rate(_ method: HTTPMethod, _ url: String, token: String?, json: [String: String]?) async throws -> Double {
        let started = ContinuousClock.now
        let end = started + .seconds(seconds)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < end {
                        _ = try await BenchHTTP.send(method, url, token: token, json: json)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (ContinuousClock.now - started).fractionalMilliseconds * 1000
    }
}
