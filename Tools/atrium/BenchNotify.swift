import AccountService
import ArgumentParser
import AsyncHTTPClient
import AtriumCluster
import AtriumRuntime
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit

/// `atrium bench-notify`: NotifyService's figures on the real five services and a real SMTP server
/// (`scripts/smtp-sink.py`, aiosmtpd), beside the bare route of the same run: e-mails per second
/// into the SMTP server, and the fan-out latency from a chat message to its recipient's Inbox+
/// stream.
struct BenchNotify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-notify", abstract: "Measure NotifyService: e-mails per second to a local SMTP server and chat-message-to-inbox latency, against a bare route.")

    @Option(help: "Client replies, each an e-mail to the thread's starter.")
    var emails = 2_000

    @Option(help: "Messages timed one at a time from the POST to the recipient's `item` event.")
    var samples = 300

    @Option(help: "Concurrent connections posting the replies.")
    var concurrency = 16

    @Option(help: "Run on PostgreSQL at this URL instead of SQLite.")
    var postgres: String?

    func run() async throws {
        // The SMTP server's port is chosen now and the server started later: the drain figure
        // first fills the queue while nothing listens.
        let port = try FreePorts.take(1)[0]
        let secret = String(repeating: "n", count: 40)
        let settings = ["ATRIUM_SMTP_URL": "smtp://127.0.0.1:\(port)", "ATRIUM_SMTP_FROM": "Atrium <bench@atrium.test>",
                        "ATRIUM_PORTAL_URL": "https://portal.atrium.test", "ATRIUM_EMAIL_RETRY_BASE_MS": "100", "ATRIUM_EMAIL_RETRY_MAX_MS": "300",
                        "ATRIUM_EMAIL_MAX_ATTEMPTS": "10000"]
        let (cluster, _) = try await BenchCluster.start(binDirectory: try Launcher.binDirectory(), secret: secret, postgres: postgres, settings: settings)
        let http = ChatBenchHTTP(connections: concurrency)
        let sink = SinkBox()
        do {
            try await measure(cluster, http: http, secret: secret, port: port, sink: sink)
        } catch {
            sink.value?.stop()
            await cluster.stop()
            try? await http.shutdown()
            throw error
        }
        sink.value?.stop()
        await cluster.stop()
        try? await http.shutdown()
        try? FileManager.default.removeItem(atPath: cluster.topology.dataDirectory)
    }

    /// The SMTP sink, once started.
    final class SinkBox: @unchecked Sendable {
        var value: BenchSMTPSink?
    }

    /// Fills NotifyService's queue with `emails` e-mails while no SMTP server listens, then starts
    /// one on `port` and times the queue's drain; answers the running sink.
    private func drain(_ world: ChatBenchWorld, _ http: ChatBenchHTTP, contact: String, messages: String, port: Int, bare: BareRoute) async throws -> BenchSMTPSink {
        _ = try await ChatLoad.each(emails, workers: concurrency) { index in
            try await http.send(.POST, messages, token: contact, json: ["text": "Queued \(index)"])
        }
        let database = try await world.database(.notify)
        var queued = 0
        do {
            let deadline = ContinuousClock.now + .seconds(600)
            while ContinuousClock.now < deadline {
                let row = try await database.sql.raw("SELECT COUNT(*) AS n, MIN(attempts) AS tried FROM emails WHERE status = 'queued'").first()
                queued = Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
                let tried = try row?.decode(column: "tried", as: Int64?.self) ?? 0
                if queued >= emails, tried >= 1 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
        let sink = try await BenchSMTPSink.start(port: port)
        let started = ContinuousClock.now
        try await sink.waitFor(count: queued, within: .seconds(600))
        let seconds = (ContinuousClock.now - started).seconds
        let rate = Double(queued) / seconds
        say(String(format: "drain: %d e-mails queued while the SMTP server was away, all at the server %.2f s after it started: %.0f e-mails/s = %.4f of the bare route's rate "
                   + "(retries were at most 300 ms apart; 4 SMTP connections)", queued, seconds, rate, rate / bare.rate))
        return sink
    }

    private func measure(_ cluster: Cluster, http: ChatBenchHTTP, secret: String, port: Int, sink box: SinkBox) async throws {
        let build = (try? Launcher.binDirectory().path.contains("/release")) == true ? "release build" : "NOT a release build (figures not comparable)"
        say("bench-notify: \(build), \(postgres == nil ? "SQLite" : "PostgreSQL"), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
            + "aiosmtpd on loopback, \(concurrency) connections")
        let world = try await ChatBenchWorld.make(cluster, http: http, secret: secret, workers: concurrency, seconds: 5, samples: samples)
        let bare = try await BareRoute.measure(world)
        say(String(format: "baseline GET /health/live (chat-service): %.0f req/s at %d connections; one at a time %@", bare.rate, concurrency, bare.latency.text))
        let signer = try await TokenSigner(accountSecret: secret)
        let contact = "Bearer " + (try await signer.issue(for: Caller(kind: .contact, subject: world.contactID, firmID: world.firmID)))
        let thread = try await http.send(.POST, world.chat + "/v1/threads", token: world.owner,
                                         json: ["accountId": world.accountID, "subject": "Bench", "text": "Please reply"])
        guard let threadID = thread["id"] as? String else { throw ValidationError("thread creation failed: \(thread)") }
        let messages = world.chat + "/v1/threads/\(threadID)/messages"
        let sink = try await drain(world, http, contact: contact, messages: messages, port: port, bare: bare)
        box.value = sink

        // E-mails per second end to end: the client's replies, each an e-mail to the owner, counted as the SMTP server writes them.
        let before = sink.count()
        let started = ContinuousClock.now
        let posting = try await ChatLoad.each(emails, workers: concurrency) { index in
            try await http.send(.POST, messages, token: contact, json: ["text": "Reply \(index)"])
        }
        try await sink.waitFor(count: before + emails, within: .seconds(600))
        let seconds = (ContinuousClock.now - started).seconds
        let rate = Double(emails) / seconds
        say(String(format: "e-mails: %d replies posted in %.2f s (%.0f/s); all %d e-mails at the SMTP server after %.2f s: %.0f e-mails/s = %.3f of the bare route's rate",
                   emails, posting, Double(emails) / posting, emails, seconds, rate, rate / bare.rate))

        // Fan-out latency: the client's message, then the owner's Inbox+ stream's `item` event.
        var stream = try await BenchInboxStream.open(cluster.url(.notify) + "/v1/inbox/events", token: world.owner)
        var fromPost: [Double] = []
        var fromCommit: [Double] = []
        var bareTimes: [Double] = []
        for index in 0..<samples {
            bareTimes.append(try await ChatLoad.time { try await world.bare() })
            let sent = ContinuousClock.now
            try await http.send(.POST, messages, token: contact, json: ["text": "Timed \(index)"])
            let committed = ContinuousClock.now
            try await stream.nextItem()
            fromPost.append((ContinuousClock.now - sent).seconds * 1000)
            fromCommit.append((ContinuousClock.now - committed).seconds * 1000)
        }
        try await stream.close()
        let post = Percentiles(fromPost), commit = Percentiles(fromCommit), bareLatency = Percentiles(bareTimes)
        say("fan-out to Inbox+ (\(samples) messages, one at a time): POST sent → the recipient's `item` event \(post.text); "
            + "POST answered (committed) → `item` event \(commit.text); bare route \(bareLatency.text)")
        say(String(format: "  ratios to the bare route: POST → item p50 %.1f×, p99 %.1f×; commit → item p50 %.1f×, p99 %.1f×",
                   post.p50 / bareLatency.p50, post.p99 / bareLatency.p99, commit.p50 / bareLatency.p50, commit.p99 / bareLatency.p99))
    }
}

/// `scripts/smtp-sink.py` in a child process, writing each message it accepts into a directory.
final class BenchSMTPSink: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    static func start(port: Int) async throws -> BenchSMTPSink {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-bench-smtp-\(UUID().uuidString)")
        let messages = root.appendingPathComponent("messages")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("scripts/smtp-sink.py")
        guard FileManager.default.fileExists(atPath: script.path) else { throw ValidationError("Run bench-notify from the repository root (it needs scripts/smtp-sink.py).") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--dir", messages.path, "--port", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let sink = BenchSMTPSink(port: port, directory: messages, process: process)
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: messages.appendingPathComponent("ready").path) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                sink.stop()
                throw ValidationError("The SMTP sink did not start (is aiosmtpd installed? python3 -m pip install aiosmtpd).")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return sink
    }

    /// Messages accepted so far.
    func count() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix("message-") && $0.hasSuffix(".json") }.count
    }

    func waitFor(count wanted: Int, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while count() < wanted {
            guard ContinuousClock.now < deadline else { throw ValidationError("Only \(count()) of \(wanted) e-mails reached the SMTP server.") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
    }
}

/// An Inbox+ stream read event by event.
struct BenchInboxStream {
    private let client: HTTPClient
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer = ""

    static func open(_ url: String, token: String) async throws -> BenchInboxStream {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "authorization", value: token)
        let response = try await client.execute(request, timeout: .hours(1))
        guard response.status == .ok else {
            try await client.shutdown()
            throw ValidationError("The inbox stream answered \(response.status.code).")
        }
        var stream = BenchInboxStream(client: client, iterator: response.body.makeAsyncIterator())
        try await stream.next(named: "counts")
        return stream
    }

    /// Waits for the next `item` event.
    mutating func nextItem() async throws {
        try await next(named: "item")
    }

    private mutating func next(named name: String) async throws {
        while true {
            while let end = buffer.range(of: "\n\n") {
                let block = buffer[..<end.lowerBound]
                buffer.removeSubrange(..<end.upperBound)
                if block.split(separator: "\n").contains("event: \(name)") { return }
            }
            guard let chunk = try await iterator.next() else { throw ValidationError("The inbox stream ended.") }
            buffer += String(buffer: chunk)
        }
    }

    func close() async throws {
        try await client.shutdown()
    }
}
