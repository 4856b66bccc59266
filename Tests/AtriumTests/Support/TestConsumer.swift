import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit

/// A webhook consumer under the test's control: it can fail a number of requests on purpose,
/// then verifies signatures and applies each event once through a real `WebhookInbox`.
actor TestConsumer {
    private(set) var requests = 0
    private(set) var applied: [String] = []
    /// The body of each applied event, in arrival order.
    private(set) var bodies: [Data] = []
    private(set) var duplicates = 0
    private(set) var refusals = 0
    /// The `traceparent` header of each request, if it had one.
    private(set) var traces: [String] = []
    var failuresLeft: Int

    init(failFirst: Int) {
        failuresLeft = failFirst
    }

    func setFailures(_ count: Int) { failuresLeft = count }

    /// Counts a request; true when this one should fail.
    fileprivate func admit(trace: String?) -> Bool {
        requests += 1
        if let trace { traces.append(trace) }
        guard failuresLeft > 0 else { return false }
        failuresLeft -= 1
        return true
    }

    fileprivate func record(_ receipt: WebhookInbox.Receipt, id: String, body: Data) {
        switch receipt {
        case .applied:
            applied.append(id)
            bodies.append(body)
        case .duplicate: duplicates += 1
        }
    }

    fileprivate func refused() { refusals += 1 }

    static let secret = WebhookSecret.generate()

    /// The `data` object of each body.
    static func data(_ bodies: [Data]) -> [[String: Any]] {
        bodies.map { ((try? JSON.object($0))?["data"] as? [String: Any]) ?? [:] }
    }

    /// Runs a live consumer on a free port for the duration of `body`.
    static func run<T: Sendable>(
        failFirst: Int = 0, storage: TestStorage, _ body: @escaping @Sendable (TestConsumer, String) async throws -> T
    ) async throws -> T {
        let consumer = TestConsumer(failFirst: failFirst)
        let database = try await Database.open(
            url: storage.engine.postgresURL, schema: storage.schemaPrefix + "doc",
            sqlitePath: storage.directory.appendingPathComponent("consumer.sqlite").path, logger: Logger(label: "consumer"))
        try await Migrator(database: database).run(EventMigrations.all)
        let inbox = WebhookInbox(database: database, secret: secret)
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            if await consumer.admit(trace: request.headers[HTTPField.Name("traceparent")!]) { return .serviceUnavailable }
            let body = try await request.body.collect(upTo: 1 << 20)
            do {
                let receipt = try await inbox.receive(
                    id: request.headers[HTTPField.Name("webhook-id")!] ?? "",
                    timestamp: request.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                    signature: request.headers[HTTPField.Name("webhook-signature")!] ?? "",
                    body: Data(body.readableBytesView)) { _, _ in }
                await consumer.record(receipt, id: request.headers[HTTPField.Name("webhook-id")!] ?? "", body: Data(body.readableBytesView))
                return .noContent
            } catch {
                await consumer.refused()
                return .badRequest
            }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        do {
            let result = try await app.test(.live) { client in
                try await body(consumer, "http://127.0.0.1:\(client.port ?? 0)/hook")
            }
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }
}
