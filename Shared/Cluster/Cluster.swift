public import AsyncHTTPClient
public import AtriumRuntime
public import Foundation
import NIOCore
import NIOHTTP1

/// A topology running as real processes on this machine.
public final class Cluster: Sendable {
    public let topology: Topology
    public let processes: [ServiceName: ServiceProcess]
    public let httpClient: HTTPClient

    /// Starts `services` (all five by default) from the executables in `binDirectory`.
    /// With `inheritSettings`, `ATRIUM_*` variables of this process reach the services too (the topology's win).
    public static func start(
        _ topology: Topology, binDirectory: URL, services: [ServiceName] = ServiceName.allCases, logDirectory: URL,
        inheritSettings: Bool = false, httpClient: HTTPClient = .shared
    ) throws -> Cluster {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: topology.dataDirectory, withIntermediateDirectories: true)
        var processes: [ServiceName: ServiceProcess] = [:]
        for service in services {
            let executable = binDirectory.appendingPathComponent(ServiceName.serverExecutable)
            guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                throw ClusterError.missingExecutable(executable.path)
            }
            processes[service] = ServiceProcess(
                service: service, executable: executable, environment: topology.environment(for: service),
                logFile: logDirectory.appendingPathComponent("\(service.displayName).log"), inheritSettings: inheritSettings)
        }
        let cluster = Cluster(topology: topology, processes: processes, httpClient: httpClient)
        do {
            for process in processes.values { try process.start() }
        } catch {
            for process in processes.values { process.signal(SIGKILL) }
            throw error
        }
        return cluster
    }

    private init(topology: Topology, processes: [ServiceName: ServiceProcess], httpClient: HTTPClient) {
        self.topology = topology
        self.processes = processes
        self.httpClient = httpClient
    }

    /// The base URL of `service`.
    public func url(_ service: ServiceName) -> String { topology.endpoints[service]?.url ?? "" }

    /// Waits until every running service answers `/health/ready` with 200.
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        for (service, process) in processes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            while true {
                if await isReady(service) { break }
                guard process.isRunning else { throw ClusterError.exited(service, process.logTail()) }
                guard ContinuousClock.now < deadline else { throw ClusterError.notReady(service, process.logTail()) }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// The subscriptions the running services register with each other at start-up, as
    /// (producer, subscription id): the pipeline's and NotifyService's to chat events, ChatService's
    /// to document events, NotifyService's to invitations, and every consumer's to AccountService's
    /// directory changes. Only pairs whose both ends run here.
    public var expectedSubscriptions: [(producer: ServiceName, id: String)] {
        var pairs: [(producer: ServiceName, id: String)] = []
        if processes[.chat] != nil && processes[.pipeline] != nil { pairs.append((.chat, "pipeline-service.chat")) }
        if processes[.chat] != nil && processes[.notify] != nil { pairs.append((.chat, "notify-service.chat")) }
        if processes[.doc] != nil && processes[.chat] != nil { pairs.append((.doc, "chat-service.doc")) }
        if processes[.account] != nil && processes[.notify] != nil { pairs.append((.account, "notify-service.account")) }
        if processes[.pipeline] != nil && processes[.notify] != nil { pairs.append((.pipeline, "notify-service.pipeline")) }
        if processes[.account] != nil {
            for consumer in [ServiceName.chat, .pipeline, .notify, .doc] where processes[consumer] != nil {
                pairs.append((.account, "\(consumer.rawValue)-service.directory"))
            }
        }
        return pairs
    }

    /// Waits until every subscription in `expectedSubscriptions` is registered with its producer,
    /// so that no event published from now on can miss a consumer that is still subscribing.
    /// `tokens` gives a service token each producer accepts.
    public func waitUntilWired(tokens: ServiceTokenCache, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        var missing = expectedSubscriptions
        while true {
            var still: [(producer: ServiceName, id: String)] = []
            for (producer, id) in missing where await !isRegistered(id, at: producer, tokens: tokens) {
                still.append((producer, id))
            }
            missing = still
            if missing.isEmpty { return }
            guard ContinuousClock.now < deadline else { throw ClusterError.notWired(missing.map(\.id), logs()) }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    private func isRegistered(_ id: String, at producer: ServiceName, tokens: ServiceTokenCache) async -> Bool {
        guard let token = try? await tokens.token(for: producer) else { return false }
        var request = HTTPClientRequest(url: url(producer) + "/v1/webhooks/subscriptions/\(id)")
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        guard let response = try? await httpClient.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response.status == .ok
    }

    /// Whether `service` answers `/health/ready` with 200 right now.
    public func isReady(_ service: ServiceName) async -> Bool {
        var request = HTTPClientRequest(url: url(service) + "/health/ready")
        request.method = .GET
        guard let response = try? await httpClient.execute(request, timeout: .milliseconds(500)) else { return false }
        _ = try? await response.body.collect(upTo: 4096)
        return response.status == .ok
    }

    /// Stops every service gracefully (SIGTERM, then SIGKILL after `grace`).
    public func stop(grace: Duration = .seconds(10)) async {
        await withTaskGroup(of: Void.self) { group in
            for process in processes.values {
                group.addTask { await process.stop(grace: grace) }
            }
        }
    }

    /// The last lines of every service's log, for a failing test's report.
    public func logs(lines: Int = 40) -> String {
        processes.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "=== \($0.key.displayName) (\($0.value.logFile.path)) ===\n\($0.value.logTail(lines: lines))" }
            .joined(separator: "\n")
    }
}

/// Why a cluster did not come up.
public enum ClusterError: Error, CustomStringConvertible {
    case missingExecutable(String)
    case exited(ServiceName, String)
    case notReady(ServiceName, String)
    case notWired([String], String)

    public var description: String {
        switch self {
        case .missingExecutable(let path): "No executable at \(path); build the package first."
        case .exited(let service, let log): "\(service.displayName) exited during start-up:\n\(log)"
        case .notReady(let service, let log): "\(service.displayName) did not become ready in time:\n\(log)"
        case .notWired(let ids, let log): "Subscriptions not registered in time: \(ids.joined(separator: ", ")).\n\(log)"
        }
    }
}
