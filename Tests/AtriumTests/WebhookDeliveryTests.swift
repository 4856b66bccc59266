import AtriumRuntime
import ChatService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The outbox and dispatcher, end to end over real HTTP to a consumer with a real inbox.
@Suite("Webhook delivery: retries, dead letters, replay, exactly-once effects")
struct WebhookDeliveryTests {
    func withChat(
        _ storage: TestStorage, overrides: [String: String] = [:],
        _ body: @escaping @Sendable (ChatTestClient) async throws -> Void
    ) async throws {
        try await ChatTestClient.run(storage, overrides: overrides, body)
    }

    @Test("an endpoint that fails N times then succeeds: delivered once, N+1 attempts recorded", arguments: TestEngine.all)
    func failsThenSucceeds(engine: TestEngine) async throws {
        let failures = 3
        try await TestStorage.with(engine) { storage in
            try await TestConsumer.run(failFirst: failures, storage: storage) { consumer, url in
                try await withChat(storage) { chat in
                    #expect(try await chat.subscribe("test-consumer", url: url, secret: TestConsumer.secret) == .created)
                    try await chat.completeThread(tasks: 2)
                    try await eventually("the delivery to succeed") {
                        try await chat.deliveries(query: "subscriptionId=test-consumer").first?["status"] as? String == "delivered"
                    }
                    let delivery = try #require(try await chat.deliveries(query: "subscriptionId=test-consumer").first)
                    #expect(delivery["attempts"] as? Int == failures + 1)
                    let attempts = try await chat.attempts(delivery: try #require(delivery["id"] as? String))
                    #expect(attempts.map { $0["statusCode"] as? Int } == Array(repeating: 503, count: failures) + [204])
                    #expect(attempts.map { $0["number"] as? Int } == Array(1...(failures + 1)))
                    #expect(await consumer.applied.count == 1)
                    #expect(await consumer.requests == failures + 1)
                }
            }
        }
    }

    @Test("a delivery that keeps failing goes dead, is listed, and arrives when replayed", arguments: TestEngine.all)
    func deadAndReplay(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            try await TestConsumer.run(failFirst: 1000, storage: storage) { consumer, url in
                try await withChat(storage, overrides: ["ATRIUM_WEBHOOK_MAX_ATTEMPTS": "3"]) { chat in
                    try await chat.subscribe("test-consumer", url: url, secret: TestConsumer.secret)
                    try await chat.completeThread()
                    try await eventually("the delivery to go dead") { try await !chat.deliveries(query: "status=dead").isEmpty }
                    let dead = try #require(try await chat.deliveries(query: "status=dead").first)
                    let id = try #require(dead["id"] as? String)
                    #expect(dead["attempts"] as? Int == 3)
                    #expect((dead["lastError"] as? String)?.contains("503") == true)
                    #expect(await consumer.applied.isEmpty)

                    await consumer.setFailures(0)
                    #expect(try await chat.replay(delivery: id) == .accepted)
                    try await eventually("the replayed delivery to arrive") { await consumer.applied.count == 1 }
                    try await eventually("the delivery to be marked delivered") {
                        try await chat.deliveries(query: "status=delivered").first?["id"] as? String == id
                    }
                    #expect(try await chat.attempts(delivery: id).count == 4)
                }
            }
        }
    }

    @Test("a redelivered event reaches the consumer again but has its effect once", arguments: TestEngine.all)
    func redeliveryIsIdempotent(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await withChat(storage) { chat in
                    try await chat.subscribe("test-consumer", url: url, secret: TestConsumer.secret)
                    try await chat.completeThread()
                    try await eventually("the first delivery to be recorded") {
                        try await !chat.deliveries(query: "status=delivered").isEmpty
                    }
                    #expect(await consumer.applied.count == 1)
                    let id = try #require(try await chat.deliveries(query: "status=delivered").first?["id"] as? String)
                    #expect(try await chat.replay(delivery: id) == .accepted)
                    try await eventually("the redelivery") { await consumer.duplicates == 1 }
                    #expect(await consumer.applied.count == 1)
                }
            }
        }
    }

    @Test("a consumer with the wrong secret refuses every attempt; nothing is applied")
    func wrongSecretIsRefused() async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await withChat(storage, overrides: ["ATRIUM_WEBHOOK_MAX_ATTEMPTS": "2"]) { chat in
                    try await chat.subscribe("test-consumer", url: url, secret: WebhookSecret.generate())
                    try await chat.completeThread()
                    try await eventually("the delivery to go dead") { try await !chat.deliveries(query: "status=dead").isEmpty }
                    #expect(await consumer.refusals == 2)
                    #expect(await consumer.applied.isEmpty)
                }
            }
        }
    }

    @Test("unchecking and checking again publishes a second event; a thread without tasks publishes none")
    func eventsFollowTaskState() async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await withChat(storage) { chat in
                    try await chat.subscribe("test-consumer", url: url, secret: TestConsumer.secret)
                    _ = try await chat.createThread(tasks: 0)
                    let thread = try await chat.createThread(tasks: 2)
                    let id = try #require(thread["id"] as? String)
                    let tasks = try #require(thread["tasks"] as? [[String: Any]]).compactMap { $0["id"] as? String }
                    _ = try await chat.setTask(thread: id, task: tasks[0], done: true)
                    let state = try await chat.setTask(thread: id, task: tasks[1], done: true)
                    #expect(state["completedTasks"] as? Int == 2)
                    _ = try await chat.setTask(thread: id, task: tasks[1], done: true)  // no change: no event
                    _ = try await chat.setTask(thread: id, task: tasks[1], done: false)
                    _ = try await chat.setTask(thread: id, task: tasks[1], done: true)
                    try await eventually("two events") { await consumer.applied.count == 2 }
                    #expect(try await chat.deliveries(query: "subscriptionId=test-consumer").count == 2)
                }
            }
        }
    }

    @Test("a delivery continues the trace of the request that caused the event")
    func traceCrossesTheEvent() async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await withChat(storage) { chat in
                    try await chat.subscribe("test-consumer", url: url, secret: TestConsumer.secret)
                    let thread = try await chat.createThread(tasks: 1)
                    let id = try #require(thread["id"] as? String)
                    let task = try #require((thread["tasks"] as? [[String: Any]])?.first?["id"] as? String)
                    let origin = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                    _ = try await chat.setTask(thread: id, task: task, done: true, traceparent: origin)
                    try await eventually("the delivery") { await consumer.applied.count == 1 }
                    let received = try #require(await consumer.traces.first.flatMap(TraceParent.init(header:)))
                    #expect(received.traceID == "0af7651916cd43dd8448eb211c80319c")
                    #expect(received.spanID != "b7ad6b7169203331")
                }
            }
        }
    }

    @Test("deliveries are listed newest first, a page at a time", arguments: TestEngine.all)
    func pagination(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await withChat(storage) { chat in
                    try await chat.subscribe("test-consumer", url: url, secret: TestConsumer.secret)
                    for _ in 0..<5 { try await chat.completeThread() }
                    try await eventually("five deliveries") { await consumer.applied.count == 5 }
                    let first = try await chat.client.execute(uri: "/v1/webhooks/deliveries?limit=2", method: .get,
                                                              headers: .bearer(chat.token)) { $0.json }
                    let firstIDs = (first["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    #expect(firstIDs.count == 2 && firstIDs == firstIDs.sorted(by: >))
                    var seen = firstIDs
                    var cursor = first["nextCursor"] as? String
                    while let next = cursor {
                        let page = try await chat.client.execute(uri: "/v1/webhooks/deliveries?limit=2&cursor=\(next)", method: .get,
                                                                 headers: .bearer(chat.token)) { $0.json }
                        seen += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                        cursor = page["nextCursor"] as? String
                    }
                    #expect(seen.count == 5 && Set(seen).count == 5)
                    let status = try await chat.client.execute(uri: "/v1/webhooks/deliveries?limit=500", method: .get,
                                                               headers: .bearer(chat.token)) { $0.status }
                    #expect(status == .badRequest)
                }
            }
        }
    }

    @Test("subscriptions: bad input is refused with a reason; employees may not manage them")
    func subscriptionRefusals() async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await withChat(storage) { chat in
                #expect(try await chat.subscribe("s1", url: "ftp://example.com/x", secret: TestConsumer.secret) == .badRequest)
                #expect(try await chat.subscribe("s1", url: "http://127.0.0.1/x", secret: "whsec_short") == .badRequest)
                #expect(try await chat.subscribe("s1", url: "http://127.0.0.1/x", secret: TestConsumer.secret, types: []) == .badRequest)
                #expect(try await chat.subscribe("bad id!", url: "http://127.0.0.1/x", secret: TestConsumer.secret) == .badRequest)
                let employee = ChatTestClient(client: chat.client, token: try await TestConfiguration.memberToken(role: .employee))
                #expect(try await employee.subscribe("s1", url: "http://127.0.0.1/x", secret: TestConsumer.secret) == .forbidden)
                #expect(try await chat.subscribe("s1", url: "http://127.0.0.1/x", secret: TestConsumer.secret) == .created)
                #expect(try await chat.subscribe("s1", url: "http://127.0.0.1/y", secret: TestConsumer.secret) == .ok)
            }
        }
    }

    @Test("a firm's subscription sees only that firm's events and subscriptions")
    func firmIsolation() async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await withChat(storage) { chat in
                    let other = ChatTestClient(client: chat.client, token: try await TestConfiguration.memberToken(firm: "firm_other", id: "mem_o"))
                    #expect(try await other.subscribe("other-firm", url: url, secret: TestConsumer.secret) == .created)
                    try await chat.completeThread()  // firm_test's event
                    try await other.completeThread(account: "acct_other")  // firm_other's event
                    try await eventually("firm_other's event") { await consumer.applied.count == 1 }
                    #expect(try await other.deliveries(query: "").count == 1)
                    #expect(try await chat.deliveries(query: "").isEmpty, "firm_test sees no delivery of firm_other's subscription")
                    let status = try await chat.client.execute(
                        uri: "/v1/webhooks/subscriptions/other-firm", method: .get, headers: .bearer(chat.token)) { $0.status }
                    #expect(status == .notFound)
                }
            }
        }
    }
}
