import AtriumRuntime
import ChatService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Findings 3 and 4: a deleted subscription ends its deliveries, and the webhooks API never
/// crosses owners (firms and Atrium's services each see and name only their own).
@Suite("Webhooks: deleting a subscription, and ownership", .serialized)
struct WebhookOwnershipTests {
    func withChat(
        _ storage: TestStorage, overrides: [String: String] = [:],
        _ body: @escaping @Sendable (ChatTestClient) async throws -> Void
    ) async throws {
        try await ChatTestClient.run(storage, overrides: overrides, body)
    }

    @Test("deleting a subscription cancels its pending deliveries in the same transaction", arguments: TestEngine.all)
    func deleteCancelsDeliveries(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            try await TestConsumer.run(failFirst: 1_000_000, storage: storage) { consumer, url in
                try await withChat(storage, overrides: ["ATRIUM_WEBHOOK_MAX_ATTEMPTS": "100"]) { chat in
                    #expect(try await chat.subscribe("doomed", url: url, secret: TestConsumer.secret) == .created)
                    try await chat.completeThread()
                    try await eventually("a failed attempt") { await consumer.requests >= 1 }
                    let status = try await chat.client.execute(
                        uri: "/v1/webhooks/subscriptions/doomed", method: .delete, headers: .bearer(chat.token)) { $0.status }
                    #expect(status == .noContent)
                    let delivery = try #require(try await chat.deliveries(query: "").first)
                    #expect(delivery["status"] as? String == "cancelled")
                    #expect(try await chat.deliveries(query: "status=cancelled").count == 1)
                    #expect(try await chat.deliveries(query: "status=pending").isEmpty)
                    let id = try #require(delivery["id"] as? String)
                    let attempts = try await chat.attempts(delivery: id).count
                    // A cancelled delivery is never tried again (the next retry was due within 400 ms).
                    try await Task.sleep(for: .milliseconds(600))
                    #expect(try await chat.attempts(delivery: id).count <= attempts + 1)
                    #expect(try await chat.deliveries(query: "").first?["status"] as? String == "cancelled")
                }
            }
        }
    }

    @Test("a firm's PUT of a service's subscription id makes its own; each owner sees only its deliveries", arguments: TestEngine.all)
    func ownersDoNotCross(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await withChat(storage) { owner in
                    let service = ChatTestClient(client: owner.client, token: try await TestConfiguration.serviceToken("pipeline-service"))
                    let launcher = ChatTestClient(client: owner.client, token: try await TestConfiguration.serviceToken("atrium-launcher"))
                    // The firm takes the id first: the service's later registration must not be blocked or hijacked.
                    #expect(try await owner.subscribe("pipeline-service.chat", url: url, secret: TestConsumer.secret) == .created)
                    #expect(try await service.subscribe("pipeline-service.chat", url: url, secret: TestConsumer.secret) == .created)
                    #expect(try await service.subscribe("pipeline-service.chat", url: url, secret: TestConsumer.secret) == .ok)
                    #expect(try await owner.subscribe("pipeline-service.chat", url: url, secret: TestConsumer.secret) == .ok)

                    try await owner.completeThread()
                    try await eventually("both deliveries") { await consumer.requests == 2 }
                    // Received is not yet recorded: a replay is refused (409) until the producer's books say delivered.
                    try await eventually("both recorded as delivered") {
                        let recorded = try await owner.deliveries(query: "") + service.deliveries(query: "")
                        return recorded.count == 2 && recorded.allSatisfy { $0["status"] as? String == "delivered" }
                    }
                    let mine = try await owner.deliveries(query: "")
                    let theirs = try await service.deliveries(query: "")
                    #expect(mine.count == 1 && theirs.count == 1)
                    #expect(try await launcher.deliveries(query: "subscriptionId=pipeline-service.chat").count == 1,
                            "Atrium's services share one namespace")
                    let serviceDelivery = try #require(theirs.first?["id"] as? String)
                    let firmDelivery = try #require(mine.first?["id"] as? String)
                    #expect(serviceDelivery != firmDelivery)

                    let peek = { (client: ChatTestClient, uri: String, method: HTTPRequest.Method) in
                        try await client.client.execute(uri: uri, method: method, headers: .bearer(client.token)) { $0.status }
                    }
                    #expect(try await peek(owner, "/v1/webhooks/deliveries/\(serviceDelivery)/attempts", .get) == .notFound)
                    #expect(try await peek(owner, "/v1/webhooks/deliveries/\(serviceDelivery)/replay", .post) == .notFound)
                    #expect(try await peek(service, "/v1/webhooks/deliveries/\(firmDelivery)/attempts", .get) == .notFound)
                    #expect(try await peek(service, "/v1/webhooks/deliveries/\(firmDelivery)/replay", .post) == .notFound)
                    #expect(try await peek(service, "/v1/webhooks/deliveries/\(serviceDelivery)/replay", .post) == .accepted)

                    // Deleting the firm's subscription leaves the service's alone.
                    #expect(try await peek(owner, "/v1/webhooks/subscriptions/pipeline-service.chat", .delete) == .noContent)
                    #expect(try await peek(service, "/v1/webhooks/subscriptions/pipeline-service.chat", .get) == .ok)
                    #expect(try await peek(owner, "/v1/webhooks/subscriptions/pipeline-service.chat", .get) == .notFound)
                }
            }
        }
    }
}
