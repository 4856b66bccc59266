import ArgumentParser
import AsyncHTTPClient
import AtriumCluster
import AtriumRuntime
import Contracts
import Dispatch
import Foundation
import NIOCore
import NIOHTTP1

/// The steps of `atrium up`.
enum Launcher {
    /// The folder holding this executable, where SwiftPM also put the service executables.
    static func binDirectory() throws -> URL {
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else {
            throw ValidationError("Cannot tell where the atrium executable is.")
        }
        return executable.deletingLastPathComponent()
    }

    /// Runs `swift build` (every product, so `atrium-server`), in the same configuration as this executable.
    static func buildServices(binDirectory: URL) throws {
        var root = binDirectory
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            guard root.path != "/" else { return }  // Not run from a package checkout: use what is there.
            root.deleteLastPathComponent()
        }
        let release = binDirectory.path.contains("/release")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "build", "--quiet"] + (release ? ["-c", "release"] : [])
        process.currentDirectoryURL = root
        say("Checking the services are built (swift build)…")
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ExitCode(process.terminationStatus) }
    }

    /// The deployment's root secret: ATRIUM_ACCOUNT_SECRET if set, else a random secret kept in
    /// `<data>/root-secret` (created with mode 0600). Only the launcher and AccountService hold it.
    static func rootSecret(dataDirectory: String) throws -> String {
        if let secret = ProcessInfo.processInfo.environment["ATRIUM_ACCOUNT_SECRET"], !secret.isEmpty { return secret }
        let path = dataDirectory + "/root-secret"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            existing.utf8.count >= 32
        {
            return existing
        }
        let secret = randomSecret()
        _ = FileManager.default.createFile(atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
        return secret
    }

    static func randomSecret() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// A token `audience` accepts, obtained from AccountService with the launcher's own credential.
    static func serviceTokens(_ cluster: Cluster, root: String) -> ServiceTokenCache {
        ServiceTokenCache.fromAccountService(
            url: cluster.url(.account), name: "atrium-launcher",
            credential: ServiceCredential.derive(root: root, for: "atrium-launcher"), httpClient: cluster.httpClient)
    }

    static func printSummary(_ cluster: Cluster, readyIn: Duration, total: Duration) {
        say("\nAtrium is up: five services ready in \(readyIn.milliseconds) ms (\(total.milliseconds) ms with the build check).")
        for service in ServiceName.allCases {
            let url = cluster.url(service)
            say("  \(service.displayName.padding(toLength: 17, withPad: " ", startingAt: 0)) \(url)   API: \(url)/openapi.json")
        }
        say("  webhooks: pipeline-service subscribed to chat-service's \(EventTypes.chatThreadTasksCompleted)")
        say("  webhooks: chat, pipeline, notify and doc services subscribed to account-service's directory changes")
        say("  logs: \(cluster.topology.dataDirectory)/logs   database: \(cluster.topology.databaseURL == nil ? "SQLite in \(cluster.topology.dataDirectory)" : "PostgreSQL")")
        say("Press Ctrl-C to stop.")
    }

    /// SIGINT and SIGTERM, delivered as a stream instead of killing the launcher outright.
    static func stopSignals() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            retainedSources.append(source)
        }
        return stream
    }

    nonisolated(unsafe) private static var retainedSources: [any DispatchSourceSignal] = []

    /// Returns why to stop: a signal, or a service that ended by itself.
    static func waitForStop(_ cluster: Cluster, signals: AsyncStream<Int32>) async -> String {
        await withTaskGroup(of: String.self) { group in
            group.addTask {
                for await number in signals { return number == SIGINT ? "Interrupted" : "Terminated" }
                return "Signal stream ended"
            }
            group.addTask {
                while !Task.isCancelled {
                    if let ended = cluster.processes.first(where: { !$0.value.isRunning }) {
                        return "\(ended.key.displayName) exited with status \(ended.value.exitStatus ?? -1)"
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
                return "Cancelled"
            }
            let reason = await group.next() ?? "Stopped"
            group.cancelAll()
            return reason
        }
    }
}
