import ArgumentParser
import AsyncHTTPClient
import AtriumCluster
import AtriumRuntime
import Foundation
import NIOCore
import NIOHTTP1

/// `atrium up`: builds the services, starts them as separate processes, waits until they are
/// ready and wired, and stops them all on Ctrl-C or SIGTERM.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start all five services on loopback.")

    @Option(help: "Directory for the SQLite files, logs and the generated root secret (default: $ATRIUM_DATA_DIR, else ./data).")
    var dataDir: String?

    @Option(help: "Run on PostgreSQL (postgres://user:pass@host:port/db; default: $ATRIUM_DATABASE_URL); each service uses its own schema.")
    var postgres: String?

    @Option(help: "Port of the first service; the others follow (default: $ATRIUM_BASE_PORT, else 8081).")
    var basePort: Int?

    @Flag(help: "Do not run `swift build` first (use the executables as they are).")
    var noBuild = false

    func run() async throws {
        let started = ContinuousClock.now
        let binDirectory = try Launcher.binDirectory()
        if !noBuild { try Launcher.buildServices(binDirectory: binDirectory) }
        // The launcher's own options honour the ATRIUM_* environment like the services' settings do.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.value.isEmpty }
        let dataDirectory = URL(fileURLWithPath: dataDir ?? environment["ATRIUM_DATA_DIR"] ?? "data").standardizedFileURL.path
        let postgres = postgres ?? environment["ATRIUM_DATABASE_URL"]
        guard let basePort = try basePort ?? environment["ATRIUM_BASE_PORT"].map(Self.port) ?? 8081 as Int?, (1...65531).contains(basePort) else {
            throw ValidationError("The base port must be from 1 to 65531.")
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        var ports: [ServiceName: Int] = [:]
        for (index, service) in ServiceName.allCases.enumerated() { ports[service] = basePort + index }
        let secret = try Launcher.rootSecret(dataDirectory: dataDirectory)
        let topology = Topology.local(ports: ports, dataDirectory: dataDirectory, databaseURL: postgres, rootSecret: secret)
        let signals = Launcher.stopSignals()
        let launchedAt = ContinuousClock.now
        let cluster = try Cluster.start(
            topology, binDirectory: binDirectory, logDirectory: URL(fileURLWithPath: dataDirectory).appendingPathComponent("logs"),
            inheritSettings: true)
        do {
            try await cluster.waitUntilReady()
            try await cluster.waitUntilWired(tokens: Launcher.serviceTokens(cluster, root: secret))
        } catch {
            await cluster.stop()
            throw error
        }
        Launcher.printSummary(cluster, readyIn: ContinuousClock.now - launchedAt, total: ContinuousClock.now - started)
        let reason = await Launcher.waitForStop(cluster, signals: signals)
        say("\n\(reason); stopping…")
        await cluster.stop()
        say("All services stopped.")
    }

    static func port(_ text: String) throws -> Int {
        guard let port = Int(text) else { throw ValidationError("ATRIUM_BASE_PORT must be a whole number, not \"\(text)\".") }
        return port
    }
}
