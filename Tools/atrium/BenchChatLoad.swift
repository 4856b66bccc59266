import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The bench's own HTTP client: as many connections per host as the load has workers.
///
/// `HTTPClient.shared` keeps at most 8 HTTP/1 connections per host (AsyncHTTPClient's default soft
/// limit), so 16 concurrent requests through it are 8 on the wire and 8 queued in the client.
struct ChatBenchHTTP: Sendable {
    let client: HTTPClient

    init(connections: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, connections))
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// The JSON answer of a 2xx response; throws with the status and body otherwise.
    @discardableResult
    func send(_ method: HTTPMethod, _ url: String, token: String?, json: Any? = nil, timeout: Int64 = 30) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "authorization", value: token) }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await client.execute(request, timeout: .seconds(timeout))
        let body = try await response.body.collect(upTo: 8 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw ValidationError("\(method) \(url): \(response.status) \(String(buffer: body).prefix(300))")
        }
        return (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    func shutdown() async throws { try await client.shutdown() }
}

/// Load shapes the chat bench uses: many workers for a while, or one request at a time.
enum ChatLoad {
    /// Completed requests per second with `workers` clients for `seconds`; `request` gets the worker
    /// and its iteration.
    static func rate(workers: Int, seconds: Int, _ request: @escaping @Sendable (Int, Int) async throws -> Void) async throws -> (rate: Double, count: Int) {
        let started = ContinuousClock.now
        let end = started + .seconds(seconds)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < end {
                        try await request(worker, done)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        return (Double(total) / (ContinuousClock.now - started).seconds, total)
    }

    /// Runs `request` for 0..<count with `workers` clients taking the next index; answers the seconds taken.
    static func each(_ count: Int, workers: Int, _ request: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let next = NextIndex()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(workers, max(count, 1)) {
                group.addTask {
                    while true {
                        let index = next.take()
                        guard index < count else { return }
                        try await request(index)
                    }
                }
            }
            try await group.waitForAll()
        }
        return (ContinuousClock.now - started).seconds
    }

    /// Milliseconds of `samples` requests one at a time, each measured route preceded by one request
    /// to the bare route, so both sample the same moments: (measured, bare).
    static func paired(samples: Int, bare: @escaping @Sendable () async throws -> Void,
                       _ request: @escaping @Sendable () async throws -> Void) async throws -> (Percentiles, Percentiles) {
        var measured: [Double] = []
        var baseline: [Double] = []
        for index in 0..<(samples + samples / 10) {
            let bareElapsed = try await time(bare)
            let elapsed = try await time(request)
            guard index >= samples / 10 else { continue }  // warm-up
            measured.append(elapsed)
            baseline.append(bareElapsed)
        }
        return (Percentiles(measured), Percentiles(baseline))
    }

    static func time(_ body: @Sendable () async throws -> Void) async throws -> Double {
        let started = ContinuousClock.now
        try await body()
        return (ContinuousClock.now - started).fractionalMilliseconds
    }
}

/// Hands out 0, 1, 2… to concurrent workers.
final class NextIndex: Sendable {
    private let value = Atomic<Int>(0)

    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

/// The p50 and p99 of some milliseconds.
struct Percentiles: Sendable {
    var p50: Double
    var p99: Double
    var count: Int

    init(_ values: [Double]) {
        let sorted = values.sorted()
        let at = { (q: Double) in sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        p50 = at(0.5)
        p99 = at(0.99)
        count = values.count
    }

    var text: String { String(format: "p50 %.2f ms, p99 %.2f ms", p50, p99) }
}

/// CPU time a process has used so far (user + system, from `/proc/<pid>/stat`), in milliseconds:
/// robust on a busy machine, where wall-clock figures move with whatever else runs.
enum ProcessCPU {
    static func milliseconds(_ pid: Int32?) -> Double {
        guard let pid, let file = FileHandle(forReadingAtPath: "/proc/\(pid)/stat"), let data = try? file.readToEnd(),
              let text = String(data: data, encoding: .utf8), let close = text.lastIndex(of: ")") else { return 0 }
        // After the command name: the state is field 3, so utime (14) and stime (15) are at 11 and 12.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
