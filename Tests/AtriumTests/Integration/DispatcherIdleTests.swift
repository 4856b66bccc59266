import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// Finding 2: the real chat-service executable must sit idle while a delivery hangs at a consumer
/// that accepted the connection and never answers (the old dispatcher spun a whole core).
@Suite("Job runner stays idle while work is in flight (real process)", .serialized)
struct DispatcherIdleTests {
    @Test("a delivery hanging at a silent consumer costs (almost) no CPU", arguments: TestEngine.all)
    func hangingConsumerIsNotABusyLoop(engine: TestEngine) async throws {
        let silent = try SilentEndpoint()
        // Attempts outlast the measurement, so the delivery stays in flight throughout.
        try await IntegrationHarness.with(engine, services: [.account, .chat],
                                          settings: ["ATRIUM_WEBHOOK_TIMEOUT_MS": "60000"]) { cluster in
            let (chat, _, account) = try await WalkingSkeletonTests.ownerClients(cluster)
            let subscribed = try await chat.send(.PUT, "/v1/webhooks/subscriptions/silent", json: [
                "url": silent.url, "eventTypes": ["chat.thread.tasks_completed"],
            ])
            #expect(subscribed.status == 201)
            _ = try await WalkingSkeletonTests.completeThread(chat, account: account, tasks: 1)
            try await eventually("the delivery to be in flight") {
                let items = try await chat.send(.GET, "/v1/webhooks/deliveries?subscriptionId=silent").json["items"] as? [[String: Any]]
                return items?.count == 1
            }
            let pid = try #require(cluster.processes[.chat]?.processIdentifier)
            // Let the claim and the connection settle, then measure a quiet window.
            try await Task.sleep(for: .milliseconds(500))
            let before = try #require(cpuTicks(of: pid))
            try await Task.sleep(for: .seconds(3))
            let used = try #require(cpuTicks(of: pid)) - before
            // Idle is 0-2 ticks in 3 s; the busy loop burnt ~300 (a whole core at 100 ticks/s).
            #expect(used < 30, "chat-service used \(used) CPU ticks in 3 s with one delivery in flight")
        }
    }
}
