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

    @Option(help: "Directory for the SQLite files, logs and the generated token secret.")
    var dataDir = "data"

    @Option(help: "Run on PostgreSQL (postgres://user:pass@host:port/db); each service uses its own schema.")
    var postgres: String?

    @Option(help: "Port of the first service; the others follow (8081-8085 by default).")
    var basePort = 8081

    @Flag(help: "Do not run `swift build` first (use the executables as they are).")
    var noBuild = false

    func run() async throws {
        let started = ContinuousClock.now
        let binDirectory = try Launcher.binDirectory()
        if !noBuild { try Launcher.buildServices(binDirectory: binDirectory) }
        let dataDirectory = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        var ports: [ServiceName: Int] = [:]
        for (index, service) in ServiceName.allCases.enumerated() { ports[service] = basePort + index }
        let secret = try Launcher.jwtSecret(dataDirectory: dataDirectory)
        let topology = Topology.local(ports: ports, dataDirectory: dataDirectory, databaseURL: postgres, jwtSecret: secret)
        let signals = Launcher.stopSignals()
        let launchedAt = ContinuousClock.now
        let cluster = try Cluster.start(
            topology, binDirectory: binDirectory, logDirectory: URL(fileURLWithPath: dataDirectory).appendingPathComponent("logs"),
            inheritSettings: true)
        do {
            try await cluster.waitUntilReady()
            try await cluster.waitUntilWired(serviceToken: try await TokenService(secret: secret).serviceToken(for: "atrium-launcher"))
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
}
