import AccountService
import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import NotifyService
import Testing

/// An in-process NotifyService, live (its job runner too), with doubles for AccountService and
/// the SMTP server, and a token for each kind of caller.
struct NotifyWorld: Sendable {
    let client: any TestClientProtocol
    let storage: TestStorage
    let directory: FixedNotifyDirectory
    let mailer: RecordingMailer
    let key: String
    let invitationKey: String
    let pipelineKey: String
    let owner: String
    let assigned: String
    let unassigned: String
    let contact: String
    let otherContact: String
    let stranger: String
    let service: String

    /// Runs `body` against a fresh NotifyService; `mail: false` runs it without an SMTP server.
    static func run(
        _ engine: TestEngine = .sqlite, mail: Bool = true, clock: ManualJobClock? = nil, overrides: [String: String] = [:],
        _ body: @escaping @Sendable (NotifyWorld) async throws -> Void
    ) async throws {
        try await TestStorage.with(engine) { storage in
            let directory = FixedNotifyDirectory()
            let mailer = RecordingMailer()
            var settings = ["ATRIUM_EMAIL_RETRY_BASE_MS": "20", "ATRIUM_EMAIL_RETRY_MAX_MS": "100", "ATRIUM_PORTAL_URL": "https://portal.example"]
            settings.merge(overrides) { _, new in new }
            let setup = mail ? MailSetup(mailer: mailer, from: MailAddress(name: "Atrium", email: "no-reply@firm.example")) : nil
            let app = try await NotifyService.buildApplication(
                try TestConfiguration.make(.notify, storage: storage, overrides: settings),
                dependencies: NotifyDependencies(directory: directory, accounts: ChatWorld.directory, mail: setup,
                                                 clock: clock ?? SystemJobClock()))
            let key = try await InboundSecrets.read(storage, service: .notify, subscription: "notify-service.chat")
            let invitationKey = try await InboundSecrets.read(storage, service: .notify, subscription: "notify-service.account")
            let pipelineKey = try await InboundSecrets.read(storage, service: .notify, subscription: "notify-service.pipeline")
            let signer = try await TestConfiguration.signer()
            func token(_ caller: Caller) async throws -> String { "Bearer " + (try await signer.issue(for: caller)) }
            let member = { (id: String, role: Caller.Role, firm: String) in Caller(kind: .member, subject: id, firmID: firm, role: role) }
            let tokens = (
                owner: try await token(member("mem_test", .owner, "firm_test")), assigned: try await token(member("mem_asg", .employee, "firm_test")),
                unassigned: try await token(member("mem_emp", .employee, "firm_test")),
                contact: try await token(Caller(kind: .contact, subject: "con_1", firmID: "firm_test")),
                otherContact: try await token(Caller(kind: .contact, subject: "con_3", firmID: "firm_test")),
                stranger: try await token(member("mem_x", .owner, "firm_other")),
                service: "Bearer " + (try await signer.issue(for: Caller(kind: .service, subject: "pipeline-service", firmID: nil), audience: "notify-service")))
            try await app.test(.live) { client in
                try await body(NotifyWorld(
                    client: client, storage: storage, directory: directory, mailer: mailer, key: key, invitationKey: invitationKey, pipelineKey: pipelineKey,
                    owner: tokens.owner,
                    assigned: tokens.assigned, unassigned: tokens.unassigned, contact: tokens.contact, otherContact: tokens.otherContact,
                    stranger: tokens.stranger, service: tokens.service))
            }
        }
    }

    /// Delivers a chat event signed as ChatService would; the status.
    @discardableResult
    func deliver(_ type: String, _ data: [String: Any], id: String = Identifier.make("msg"), path: String = "/v1/inbound/chat-events") async throws -> Int {
        let key = path.hasSuffix("chat-events") ? key : path.hasSuffix("pipeline-events") ? pipelineKey : invitationKey
        let body = try JSONSerialization.data(withJSONObject: ["type": type, "timestamp": "2026-11-24T04:00:00Z", "data": data])
        let timestamp = Int(Date().timeIntervalSince1970)
        let secret = try #require(WebhookSecret.key(of: key))
        let headers: HTTPFields = [
            .contentType: "application/json",
            HTTPField.Name("webhook-id")!: id,
            HTTPField.Name("webhook-timestamp")!: "\(timestamp)",
            HTTPField.Name("webhook-signature")!: WebhookSignature.sign(key: secret, id: id, timestamp: timestamp, body: body),
        ]
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
            Int($0.status.code)
        }
    }

    /// Sends a request as `token`; the status and the JSON body.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as token: String) async throws -> (status: Int, json: [String: Any]) {
        try await client.execute(uri: uri, method: method, headers: .bearer(token), body: try body.map(JSON.buffer)) {
            (Int($0.status.code), $0.json)
        }
    }

    /// The caller's inbox items, newest first.
    func inbox(_ token: String, query: String = "") async throws -> [[String: Any]] {
        let (status, json) = try await send(.get, "/v1/inbox" + (query.isEmpty ? "" : "?\(query)"), as: token)
        #expect(status == 200, "\(json)")
        return json["items"] as? [[String: Any]] ?? []
    }

    /// Waits until the caller's inbox holds `count` items.
    func waitForInbox(_ token: String, count: Int) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        try await eventually("\(count) inbox items") {
            items = try await inbox(token)
            return items.count >= count
        }
        return items
    }
}

/// Event payloads as ChatService publishes them.
enum ChatEventBodies {
    static func author(_ id: String, _ kind: String) -> [String: Any] { ["id": id, "kind": kind] }

    static func message(
        id: String = Identifier.make("msg"), author: [String: Any], startedBy: [String: Any] = author("mem_test", "member"),
        text: String = "Please send the statements.", isInternal: Bool = false, mentions: [String] = [], first: Bool = false,
        kind: String = "message", recipients: [String] = ["con_1"]
    ) -> [String: Any] {
        ["threadId": "thr_1", "firmId": "firm_test", "accountId": "acct_1", "subject": "Year-end", "messageId": id, "kind": kind,
         "author": author, "internal": isInternal, "mentions": mentions, "recipientIds": recipients, "startedBy": startedBy,
         "plain": text, "attachmentIds": [String](), "firstInThread": first, "createdAt": "2026-11-24T04:00:00Z"]
    }
}
