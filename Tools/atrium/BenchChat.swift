import ArgumentParser
import AtriumCluster
import AtriumRuntime
import Foundation
import Logging
import SQLKit

/// `atrium bench-chat`: ChatService's figures on the real five services, each beside a bare route
/// of the same run (`GET /health/live` on chat-service): message posts per second, thread list
/// latency in an account with many threads, a bulk send end to end, the SSE fan-out of
/// messages to open event streams, and the reminder scan over a large table.
///
/// Run it on a release build (`swift build -c release && .build/release/atrium bench-chat`); the
/// sizes default to the issue's and can be made small for a quick run.
struct BenchChat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-chat", abstract: "Measure ChatService: message posts, thread lists, bulk sends, SSE fan-out and the reminder scan, against a bare route.")

    @Option(help: "Threads in the one account whose list is timed (created through the API).")
    var threads = 10_000

    @Option(help: "Accounts in the bulk send (seeded in AccountService's database).")
    var bulkAccounts = 10_000

    @Option(help: "Threads in chat's database for the reminder scan (seeded in the database).")
    var reminderThreads = 1_000_000

    @Option(help: "Of the reminder threads, how many are due.")
    var due = 1_000

    @Option(help: "Open event streams in the SSE fan-out (one per contact of one account, seeded in AccountService's database); 0 skips it.")
    var streams = 1_000

    @Option(help: "Messages posted one at a time to the fan-out's streams.")
    var fanOutMessages = 20

    @Option(help: "Seconds to drive each route for the throughput figures.")
    var throughputSeconds = 5

    @Option(help: "Concurrent connections for the throughput figures and for seeding through the API.")
    var concurrency = 16

    @Option(help: "Requests per latency figure (one at a time, each beside a bare request).")
    var samples = 500

    @Option(help: "Run on PostgreSQL at this URL instead of SQLite.")
    var postgres: String?

    func validate() throws {
        guard threads >= 1, bulkAccounts >= 1, bulkAccounts <= 10_000, due >= 1, reminderThreads >= due, concurrency >= 1, samples >= 10,
              streams >= 0, fanOutMessages >= 1 else {
            throw ValidationError("Sizes must be positive, --bulk-accounts at most 10,000 (the API's limit), --due at most --reminder-threads, --samples at least 10, --fan-out-messages at least 1.")
        }
    }

    /// The measures, in the order they run. The reminder scan goes last because it restarts
    /// chat-service over a table of a million threads.
    var measures: [any ChatMeasure] {
        let all: [(any ChatMeasure)?] = [
            ThreadListLatency(threads: threads),
            MessagePostThroughput(),
            BulkSendMeasure(accounts: bulkAccounts),
            streams > 0 ? LiveFanOut(streams: streams, messages: fanOutMessages) : nil,
            ReminderScanMeasure(threads: reminderThreads, due: due),
        ]
        return all.compactMap { $0 }
    }

    func run() async throws {
        let secret = String(repeating: "b", count: 40)
        let (cluster, _) = try await BenchCluster.start(binDirectory: try Launcher.binDirectory(), secret: secret, postgres: postgres)
        let http = ChatBenchHTTP(connections: concurrency)
        do {
            try await measure(cluster, http: http, secret: secret)
        } catch {
            await finish(cluster, http: http)
            throw error
        }
        await finish(cluster, http: http)
    }

    private func measure(_ cluster: Cluster, http: ChatBenchHTTP, secret: String) async throws {
        let build = (try? Launcher.binDirectory().path.contains("/release")) == true ? "release build" : "NOT a release build (figures not comparable)"
        say("bench-chat: \(build), \(postgres == nil ? "SQLite" : "PostgreSQL"), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
            + "\(concurrency) connections, \(throughputSeconds) s per throughput figure, \(samples) samples per latency figure")
        let world = try await ChatBenchWorld.make(cluster, http: http, secret: secret, workers: concurrency, seconds: throughputSeconds, samples: samples)
        let bare = try await BareRoute.measure(world)
        say(String(format: "baseline GET /health/live (chat-service): %.0f req/s at %d connections (chat-service CPU %.0f µs per request); one at a time %@",
                   bare.rate, concurrency, bare.cpu, bare.latency.text))
        for measure in measures {
            say("")
            try await measure.run(in: world, bare: bare)
        }
    }

    /// Stops the services and removes what the run left: the data directory, and on PostgreSQL the schemas.
    private func finish(_ cluster: Cluster, http: ChatBenchHTTP) async {
        await cluster.stop()
        try? await http.shutdown()
        let topology = cluster.topology
        if let url = topology.databaseURL, let database = try? await Database.open(
            url: url, schema: topology.schemaPrefix + ServiceName.chat.rawValue, sqlitePath: "", logger: .init(label: "bench-chat")) {
            for service in ServiceName.allCases {
                try? await database.sql.raw("DROP SCHEMA IF EXISTS \(ident: topology.schemaPrefix + service.rawValue) CASCADE").run()
            }
            try? await database.close()
        }
        try? FileManager.default.removeItem(atPath: topology.dataDirectory)
    }
}

/// One figure of the chat bench: it prepares what it needs in `world`, measures, and says its
/// result beside the bare route.
///
protocol ChatMeasure: Sendable {
    func run(in world: ChatBenchWorld, bare: BareRoute) async throws
}

/// The bare route: `GET /health/live` on chat-service, as throughput at the bench's connections
/// and as latency one request at a time.
struct BareRoute: Sendable {
    var rate: Double
    var latency: Percentiles
    /// chat-service's CPU per request under the throughput load, in microseconds.
    var cpu: Double

    static func measure(_ world: ChatBenchWorld) async throws -> BareRoute {
        _ = try await ChatLoad.rate(workers: world.workers, seconds: 1) { _, _ in try await world.bare() }  // warm-up
        let before = world.cpu(.chat)
        let (rate, count) = try await ChatLoad.rate(workers: world.workers, seconds: world.seconds) { _, _ in try await world.bare() }
        let cpu = (world.cpu(.chat) - before) * 1000 / Double(count)
        var times: [Double] = []
        for _ in 0..<(world.samples * 2) { times.append(try await ChatLoad.time { try await world.bare() }) }
        return BareRoute(rate: rate, latency: Percentiles(times), cpu: cpu)
    }
}
