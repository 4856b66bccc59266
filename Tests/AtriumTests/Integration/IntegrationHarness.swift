import AsyncHTTPClient
import AtriumCluster
import AtriumRuntime
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Starts the real service executables on free loopback ports with fresh storage, exactly as
/// `atrium up` would, and always stops them; on failure the services' logs go into the report.
enum IntegrationHarness {
    /// How long a cluster may take to start. Many clusters start at once in the suite, and on a
    /// machine shared with builds one took 50 s (the default 60 s was nearly spent); a healthy
    /// start takes well under a second, and nothing waits for the limit when all is well.
    static let startTimeout: Duration = .seconds(180)

    static func with(
        _ engine: TestEngine, services: [ServiceName] = ServiceName.allCases, settings: [String: String] = [:],
        _ body: @escaping @Sendable (Cluster) async throws -> Void
    ) async throws {
        // Many suites start clusters at once; on PostgreSQL each service holds a pool of connections,
        // and past a few clusters the server runs out of connection slots (a service then fails to start).
        try await ClusterSlots.shared.run {
            try await withStorage(engine, services: services, settings: settings, body)
        }
    }

    private static func withStorage(
        _ engine: TestEngine, services: [ServiceName], settings: [String: String], _ body: @escaping @Sendable (Cluster) async throws -> Void
    ) async throws {
        try await TestStorage.with(engine) { storage in
            let cluster = try await start(storage, services: services, settings: settings)
            do {
                // Ready is not enough: an event published before a consumer subscribed never reaches it.
                try await cluster.waitUntilWired(tokens: TestConfiguration.serviceTokens(), timeout: startTimeout)
                try await body(cluster)
                await cluster.stop()
            } catch {
                await cluster.stop()
                Issue.record("service logs:\n\(cluster.logs())")
                throw error
            }
        }
    }

    /// Starts the cluster on free ports and waits until it is ready. A port can still be taken by
    /// someone else between choosing and binding it; that start is retried on other ports.
    static func start(_ storage: TestStorage, services: [ServiceName], settings: [String: String]) async throws -> Cluster {
        var attempt = 1
        while true {
            let ports = try FreePorts.take(ServiceName.allCases.count)
            var assigned: [ServiceName: Int] = [:]
            for (service, port) in zip(ServiceName.allCases, ports) { assigned[service] = port }
            let topology = TestConfiguration.topology(storage: storage, ports: assigned, settings: settings)
            let cluster = try Cluster.start(
                topology, binDirectory: try binDirectory(), services: services,
                logDirectory: storage.directory.appendingPathComponent("logs-\(attempt)"))
            do {
                try await cluster.waitUntilReady(timeout: startTimeout)
                return cluster
            } catch ClusterError.exited(_, let log) where log.contains("Address already in use") && attempt < 3 {
                await cluster.stop()
                attempt += 1
            } catch {
                await cluster.stop()
                throw error
            }
        }
    }

    /// Where SwiftPM put the executables: beside the test bundle.
    static func binDirectory() throws -> URL {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ].compactMap { $0 }
        guard let found = candidates.first(where: {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent(ServiceName.serverExecutable).path)
        }) else { throw ClusterError.missingExecutable(candidates.map(\.path).joined(separator: " or ")) }
        return found
    }
}

/// JSON over real HTTP to a running service.
struct ServiceHTTP {
    let base: String
    var token: String?

    /// Uploads one small PDF as `multipart/form-data` into DocService's `folder`, with form `fields`.
    func upload(account: String, folder: String, fields: [String: String] = [:]) async throws -> (status: Int, json: [String: Any]) {
        let (boundary, body) = Multipart.body([("matrix.pdf", Array("%PDF-1.4 matrix".utf8), "application/pdf")], fields: fields)
        return try await send(.POST, "/v1/accounts/\(account)/folders/\(folder)/documents", raw: Data(body),
                              contentType: "multipart/form-data; boundary=\(boundary)")
    }

    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, headers extra: [(String, String)] = [],
              raw: Data? = nil, contentType: String = "application/json") async throws -> (status: Int, json: [String: Any]) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "authorization", value: token) }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: .sortedKeys)))
        } else if let raw {
            request.headers.add(name: "content-type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: raw))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), object)
    }
}

/// At most `limit` clusters of real services at once (`ATRIUM_TEST_CLUSTERS`, default 6).
actor ClusterSlots {
    static let shared = ClusterSlots(limit: Int(ProcessInfo.processInfo.environment["ATRIUM_TEST_CLUSTERS"] ?? "") ?? 6)

    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
