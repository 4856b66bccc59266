import AccountService
import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import NIOCore
@testable import PipelineService
import Testing

/// An in-process PipelineService, live (its job runner too), with `FakeDownstream` for the other
/// services, `ChatWorld.directory` for access, and a token for each kind of caller.
struct PipelineWorld: Sendable {
    let client: any TestClientProtocol
    let storage: TestStorage
    let downstream: FakeDownstream
    let key: String
    let tokens: [String: String]

    static func run(
        _ engine: TestEngine = .sqlite, downstream: FakeDownstream = FakeDownstream(), clock: ManualJobClock? = nil,
        _ body: @escaping @Sendable (PipelineWorld) async throws -> Void
    ) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await PipelineService.buildApplication(
                try TestConfiguration.make(.pipeline, storage: storage),
                dependencies: PipelineDependencies(downstream: downstream, directory: ChatWorld.directory, clock: clock ?? SystemJobClock()))
            let key = try await InboundSecrets.read(storage, service: .pipeline, subscription: "pipeline-service.chat")
            let signer = try await TestConfiguration.signer()
            func token(_ caller: Caller) async throws -> String { "Bearer " + (try await signer.issue(for: caller)) }
            let member = { (id: String, role: Caller.Role, firm: String) in Caller(kind: .member, subject: id, firmID: firm, role: role) }
            let tokens = [
                "owner": try await token(member("mem_test", .owner, "firm_test")),
                "admin": try await token(member("mem_adm", .admin, "firm_test")),
                "assigned": try await token(member("mem_asg", .employee, "firm_test")),
                "unassigned": try await token(member("mem_emp", .employee, "firm_test")),
                "contact": try await token(Caller(kind: .contact, subject: "con_1", firmID: "firm_test")),
                "stranger": try await token(member("mem_x", .owner, "firm_other")),
            ]
            try await app.test(.live) { client in
                try await body(PipelineWorld(client: client, storage: storage, downstream: downstream, key: key, tokens: tokens))
            }
        }
    }

    /// A request as `who` (a key of `tokens`, or nil for none); the status and the JSON body.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as who: String? = "owner") async throws -> (status: Int, json: [String: Any]) {
        let headers: HTTPFields = who.flatMap { tokens[$0] }.map { .bearer($0) } ?? [:]
        return try await client.execute(uri: uri, method: method, headers: headers, body: try body.map(JSON.buffer)) {
            (Int($0.status.code), $0.json)
        }
    }

    /// A pipeline of `stages` (name, automove, optional condition); its id and stage ids.
    func pipeline(_ stages: [[String: Any]], name: String = "Personal tax \(Int.random(in: 1...1_000_000))") async throws -> (id: String, stages: [String]) {
        let (status, created) = try await send(.post, "/v1/pipelines", ["name": name, "stages": stages])
        #expect(status == 201, "\(created)")
        let id = try #require(created["id"] as? String)
        return (id, (created["stages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    /// Adds an automation to a stage; the pipeline after.
    @discardableResult
    func automation(_ pipeline: String, _ stage: String, _ body: [String: Any]) async throws -> [String: Any] {
        let (status, json) = try await send(.post, "/v1/pipelines/\(pipeline)/stages/\(stage)/automations", body)
        #expect(status == 201, "\(json)")
        return json
    }

    /// Creates a job; its JSON.
    func newJob(_ pipeline: String, account: String = "acct_1", name: String = "2026 return", extra: [String: Any] = [:]) async throws -> [String: Any] {
        var body: [String: Any] = ["accountId": account, "pipelineId": pipeline, "name": name]
        body.merge(extra) { _, new in new }
        let (status, json) = try await send(.post, "/v1/jobs", body)
        #expect(status == 201, "\(json)")
        return json
    }

    func job(_ id: String) async throws -> [String: Any] { try await send(.get, "/v1/jobs/\(id)").json }

    func runs(_ job: String) async throws -> [[String: Any]] {
        try await send(.get, "/v1/jobs/\(job)/automation-runs").json["items"] as? [[String: Any]] ?? []
    }

    /// Waits until the job's automations for its current stage have all finished (succeeded or skipped) or one failed.
    func settled(_ job: String, count: Int) async throws -> [[String: Any]] {
        var last: [[String: Any]] = []
        let entry = try await self.job(job)["entryId"] as? String
        try await eventually("the automations of \(job) ran") {
            last = try await runs(job).filter { $0["entryId"] as? String == entry }
            return last.count == count && last.allSatisfy { ["succeeded", "skipped", "failed"].contains($0["status"] as? String ?? "") }
        }
        return last
    }

    /// Delivers `chat.thread.tasks_completed` (or `_reopened`) for `thread` as ChatService would sign it.
    @discardableResult
    func deliverTasks(_ thread: ThreadFacts, id: String = Identifier.make("msg")) async throws -> Int {
        let type = thread.totalTasks > 0 && thread.completedTasks == thread.totalTasks ? EventTypes.chatThreadTasksCompleted : EventTypes.chatThreadTasksReopened
        let data: [String: Any] = ["threadId": thread.id, "firmId": thread.firmID, "accountId": thread.accountID, "completedTasks": thread.completedTasks,
                                   "totalTasks": thread.totalTasks, "taskVersion": thread.taskVersion, "jobIds": [String](),
                                   "completedAt": "2026-11-24T05:00:00Z"]
        return try await deliverChat(type, data, id: id)
    }

    /// ChatService's `chat.thread.job_linked` (or `_unlinked`) for `thread` and `job`, made by a caller of `actor` kind.
    func deliverLink(_ thread: ThreadFacts, job: String, linked: Bool = true, actor: String = "member", at: Date = Date()) async throws -> Int {
        let data: [String: Any] = ["threadId": thread.id, "jobId": job, "firmId": thread.firmID, "accountId": thread.accountID,
                                   "actor": ["id": actor == "service" ? "pipeline-service" : "mem_test", "kind": actor],
                                   "completedTasks": thread.completedTasks, "totalTasks": thread.totalTasks, "taskVersion": thread.taskVersion,
                                   "changedAt": ISO8601DateFormatter().string(from: at)]
        return try await deliverChat(linked ? EventTypes.chatThreadJobLinked : EventTypes.chatThreadJobUnlinked, data)
    }

    /// One signed delivery to PipelineService's chat-events receiver; its status.
    func deliverChat(_ type: String, _ data: [String: Any], id: String = Identifier.make("msg")) async throws -> Int {
        let body = try JSONSerialization.data(withJSONObject: ["type": type, "timestamp": "2026-11-24T05:00:00Z", "data": data])
        let timestamp = Int(Date().timeIntervalSince1970)
        let secret = try #require(WebhookSecret.key(of: key))
        let headers: HTTPFields = [
            .contentType: "application/json", HTTPField.Name("webhook-id")!: id, HTTPField.Name("webhook-timestamp")!: "\(timestamp)",
            HTTPField.Name("webhook-signature")!: WebhookSignature.sign(key: secret, id: id, timestamp: timestamp, body: body),
        ]
        return try await client.execute(uri: "/v1/inbound/chat-events", method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
            Int($0.status.code)
        }
    }

    /// The events PipelineService wrote to its outbox, of `type`, oldest first.
    func events(_ type: String) async throws -> [[String: Any]] {
        let database = try await Database.open(url: storage.engine.postgresURL, schema: storage.schemaPrefix + "pipeline",
                                               sqlitePath: storage.directory.appendingPathComponent("pipeline.sqlite").path,
                                               logger: Logger(label: "pipeline-test"))
        do {
            let rows = try await database.sql.raw("SELECT payload FROM outbox_events WHERE type = \(bind: type) ORDER BY created_at, id").all()
            let payloads = try rows.map { try $0.decode(column: "payload", as: String.self) }
            try await database.close()
            return payloads.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["data"] as? [String: Any] ?? [:] }
        } catch {
            try? await database.close()
            throw error
        }
    }
}
