import AtriumCluster
import AtriumRuntime
import Crypto
import Foundation
import Logging
import SQLKit
import NIOHTTP1
import Testing

/// The headline flow's skeleton across real processes: ChatService publishes
/// `chat.thread.tasks_completed`, PipelineService receives it through a signed delivery and
/// records it exactly once — through retries, replays, outages and crashes.
@Suite("Walking skeleton across real processes", .serialized)
struct WalkingSkeletonTests {
    /// Signs a firm up through AccountService; returns the owner's bearer header.
    static func owner(_ cluster: Cluster) async throws -> String {
        let account = ServiceHTTP(base: cluster.url(.account))
        let (status, body) = try await account.send(.POST, "/v1/firms", json: [
            "firmName": "Skeleton & Sons",
            "owner": ["email": "owner-\(UUID().uuidString.prefix(8))@skeleton.example", "firstName": "Sam", "lastName": "Bones",
                      "password": "a long enough password"],
        ])
        #expect(status == 201)
        let tokens = try #require(body["tokens"] as? [String: Any])
        return "Bearer " + (try #require(tokens["accessToken"] as? String))
    }

    /// The chat and pipeline services, called as a newly signed-up firm's owner.
    /// The chat and pipeline services, called as a newly signed-up firm's owner, and an account of that firm.
    static func ownerClients(_ cluster: Cluster) async throws -> (chat: ServiceHTTP, pipeline: ServiceHTTP, account: String) {
        let token = try await owner(cluster)
        let (status, account) = try await ServiceHTTP(base: cluster.url(.account), token: token)
            .send(.POST, "/v1/accounts", json: ["name": "Skeleton Holdings", "kind": "company"])
        #expect(status == 201)
        let accountID = try #require(account["id"] as? String)
        // Threads need someone to write to: a contact with portal access who accepted their invitation.
        _ = try await PortalContacts.activated(cluster, owner: token, account: accountID, email: "client-\(UUID().uuidString.prefix(8))@skeleton.example")
        return (ServiceHTTP(base: cluster.url(.chat), token: token), ServiceHTTP(base: cluster.url(.pipeline), token: token), accountID)
    }

    /// Starts a thread with `tasks` tasks and checks them all; returns the thread id.
    static func completeThread(_ chat: ServiceHTTP, account: String, tasks: Int = 2) async throws -> String {
        let (status, thread) = try await chat.send(.POST, "/v1/threads", json: [
            "accountId": account, "subject": "Bank statements", "tasks": (1...tasks).map { ["text": "Statement \($0)"] },
        ])
        #expect(status == 201)
        let id = try #require(thread["id"] as? String)
        for task in try #require(thread["tasks"] as? [[String: Any]]) {
            let taskID = try #require(task["id"] as? String)
            #expect(try await chat.send(.PATCH, "/v1/threads/\(id)/tasks/\(taskID)", json: ["done": true]).status == 200)
        }
        return id
    }

    /// The chat service as Atrium's operators see it: the owner of the services' own subscriptions.
    static func operatorChat(_ cluster: Cluster) async throws -> ServiceHTTP {
        ServiceHTTP(base: cluster.url(.chat), token: try await TestConfiguration.serviceToken("atrium-operator"))
    }

    static func recordedEvents(_ pipeline: ServiceHTTP, thread: String) async throws -> Int? {
        let (status, state) = try await pipeline.send(.GET, "/v1/chat-threads/\(thread)")
        return status == 200 ? state["tasksCompletedEvents"] as? Int : nil
    }

    @Test("a tasks-completed event reaches the pipeline once, and a replay changes nothing", arguments: TestEngine.all)
    func headlineFlow(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let (chat, pipeline, account) = try await Self.ownerClients(cluster)
            let thread = try await Self.completeThread(chat, account: account)
            try await eventually("the pipeline to record the event") { try await Self.recordedEvents(pipeline, thread: thread) == 1 }

            // The subscription is the pipeline service's: the firm's owner does not see its deliveries.
            #expect((try await chat.send(.GET, "/v1/webhooks/deliveries").json["items"] as? [Any])?.isEmpty == true)
            let operators = try await Self.operatorChat(cluster)
            // The consumer commits its effect before the producer records the attempt: only a
            // delivery the producer itself calls delivered can be replayed (a pending one is 409).
            var delivered: String?
            try await eventually("the chat service to record the delivery as delivered") {
                let items = try await operators.send(.GET, "/v1/webhooks/deliveries?subscriptionId=pipeline-service.chat").json["items"]
                delivered = ((items as? [[String: Any]])?.first { $0["status"] as? String == "delivered" })?["id"] as? String
                return delivered != nil
            }
            let id = try #require(delivered)
            #expect(try await chat.send(.POST, "/v1/webhooks/deliveries/\(id)/replay").status == 404)
            #expect(try await operators.send(.POST, "/v1/webhooks/deliveries/\(id)/replay").status == 202)
            try await eventually("the replay to be delivered") {
                let attempts = try await operators.send(.GET, "/v1/webhooks/deliveries/\(id)/attempts").json["items"] as? [Any]
                return attempts?.count == 2
            }
            #expect(try await Self.recordedEvents(pipeline, thread: thread) == 1, "the redelivery had no second effect")
        }
    }

    @Test("a delivery to a consumer that is down arrives once it comes back", arguments: TestEngine.all)
    func consumerDownThenBack(engine: TestEngine) async throws {
        // The fast test retries spend 12 attempts in about 3 s; on a loaded machine the consumer can
        // take longer than that to come back, so this test gives the delivery a budget that outlasts it.
        try await IntegrationHarness.with(engine, settings: ["ATRIUM_WEBHOOK_MAX_ATTEMPTS": "100"]) { cluster in
            let (chat, pipeline, account) = try await Self.ownerClients(cluster)
            let process = try #require(cluster.processes[.pipeline])
            await process.stop()
            let thread = try await Self.completeThread(chat, account: account)
            let operators = try await Self.operatorChat(cluster)
            try await eventually("a failed attempt to be recorded") {
                let items = try await operators.send(.GET, "/v1/webhooks/deliveries?subscriptionId=pipeline-service.chat").json["items"]
                guard let delivery = (items as? [[String: Any]])?.first else { return false }
                return (delivery["attempts"] as? Int ?? 0) >= 1 && delivery["status"] as? String == "pending"
            }
            try process.start()
            try await eventually("the event to arrive after the restart") { try await Self.recordedEvents(pipeline, thread: thread) == 1 }
        }
    }

    @Test("a consumer killed mid-batch loses nothing and applies nothing twice", arguments: TestEngine.all)
    func consumerDiesMidBatch(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let (chat, pipeline, account) = try await Self.ownerClients(cluster)
            let process = try #require(cluster.processes[.pipeline])
            var threads: [String] = []
            for index in 0..<24 {
                threads.append(try await Self.completeThread(chat, account: account, tasks: 1))
                if index == 12 { process.signal(SIGKILL) }
            }
            #expect(await process.waitForExit(timeout: .seconds(5)))
            try process.start()
            for thread in threads {
                try await eventually("thread \(thread) to be recorded") { try await Self.recordedEvents(pipeline, thread: thread) != nil }
            }
            for thread in threads {
                #expect(try await Self.recordedEvents(pipeline, thread: thread) == 1, "\(thread)")
            }
        }
    }

    @Test("forged, unsigned and replayed webhooks are refused by the real consumer; a genuine one is applied once")
    func refusesForgeries() async throws {
        try await IntegrationHarness.with(.sqlite, services: [.account, .pipeline]) { cluster in
            let token = try await Self.owner(cluster)
            let pipeline = ServiceHTTP(base: cluster.url(.pipeline), token: token)
            let firm = try await TestConfiguration.verifier().verify(String(token.dropFirst(7))).firmID ?? ""
            let body = Data("""
                {"data":{"accountId":"acct_1","completedAt":"2026-11-23T00:00:00Z","completedTasks":1,"firmId":"\(firm)","jobIds":[],"taskVersion":1,"threadId":"thr_forge","totalTasks":1},"timestamp":"2026-11-23T00:00:00Z","type":"chat.thread.tasks_completed"}
                """.utf8)
            // The pipeline made its subscription's secret at start-up and keeps it in its own database.
            let genuine = try #require(WebhookSecret.key(of: try await InboundSecrets.read(
                databaseURL: cluster.topology.databaseURL, schema: cluster.topology.schemaPrefix + "pipeline",
                sqlitePath: cluster.topology.dataDirectory + "/pipeline.sqlite", subscription: "pipeline-service.chat")))
            let forger = try #require(WebhookSecret.key(of: WebhookSecret.generate()))
            let now = Int(Date().timeIntervalSince1970)
            func post(id: String, key: SymmetricKey, at timestamp: Int, signed: Bool = true) async throws -> Int {
                var headers = [("webhook-id", id), ("webhook-timestamp", String(timestamp))]
                if signed { headers.append(("webhook-signature", WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: body))) }
                return try await ServiceHTTP(base: cluster.url(.pipeline)).send(.POST, "/v1/inbound/chat-events", headers: headers, raw: body).status
            }
            #expect(try await post(id: "msg_1", key: forger, at: now) == 400)
            #expect(try await post(id: "msg_1", key: genuine, at: now, signed: false) == 400)
            #expect(try await post(id: "msg_1", key: genuine, at: now - 600) == 400)
            #expect(try await Self.recordedEvents(pipeline, thread: "thr_forge") == nil)
            #expect(try await post(id: "msg_1", key: genuine, at: now) == 204)
            #expect(try await post(id: "msg_1", key: genuine, at: now) == 204)
            #expect(try await Self.recordedEvents(pipeline, thread: "thr_forge") == 1)
        }
    }

    @Test("SIGTERM stops every service gracefully with exit status 0")
    func gracefulShutdown() async throws {
        try await IntegrationHarness.with(.sqlite) { cluster in
            await cluster.stop(grace: .seconds(10))
            for (service, process) in cluster.processes {
                #expect(!process.isRunning, "\(service.displayName) still running")
                #expect(process.exitStatus == 0, "\(service.displayName) exited with \(process.exitStatus ?? -1)")
            }
        }
    }
}
