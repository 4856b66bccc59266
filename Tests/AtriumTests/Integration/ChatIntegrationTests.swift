import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// ChatService with the real AccountService, DocService and PipelineService beside it.
@Suite("ChatService across real processes")
struct ChatIntegrationTests {
    /// A firm with an account and a contact who can receive messages, and clients of each service.
    struct Firm {
        let owner: String
        let contact: String
        let contactID: String
        let account: String
        let chat: ServiceHTTP
        let docs: ServiceHTTP
        let folder: String

        static func make(_ cluster: Cluster) async throws -> Firm {
            let owner = try await WalkingSkeletonTests.owner(cluster)
            let (status, account) = try await ServiceHTTP(base: cluster.url(.account), token: owner)
                .send(.POST, "/v1/accounts", json: ["name": "Attach & Co", "kind": "company"])
            #expect(status == 201)
            let accountID = try #require(account["id"] as? String)
            let contact = try await PortalContacts.activated(cluster, owner: owner, account: accountID,
                                                             email: "client-\(UUID().uuidString.prefix(8))@attach.example")
            let docs = ServiceHTTP(base: cluster.url(.doc), token: owner)
            let folder = try #require(try await docs.send(.POST, "/v1/accounts/\(accountID)/folders", json: ["name": "Chat"]).json["id"] as? String)
            return Firm(owner: owner, contact: contact.bearer, contactID: contact.id, account: accountID,
                        chat: ServiceHTTP(base: cluster.url(.chat), token: owner), docs: docs, folder: folder)
        }

        func tab(_ thread: String) async throws -> [String] {
            (try await chat.send(.GET, "/v1/threads/\(thread)/documents").json["items"] as? [[String: Any]] ?? []).compactMap { $0["documentId"] as? String }
        }
    }

    @Test("a document attached or uploaded in a thread is on its tab; deleting the document takes it off every thread", arguments: TestEngine.all)
    func documentsFollowDocService(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let firm = try await Firm.make(cluster)
            let shared = try await MatrixWorld.uploadDocument(firm.docs, account: firm.account, folder: firm.folder, access: "view")
            let thread = try await firm.chat.send(.POST, "/v1/threads", json: [
                "accountId": firm.account, "subject": "Your return", "text": "Attached.", "attachments": [shared],
            ])
            #expect(thread.status == 201, "\(thread.json)")
            let id = try #require(thread.json["id"] as? String)
            // The client uploads in the thread: DocService checks the thread with ChatService, ChatService hears the upload.
            let asContact = ServiceHTTP(base: cluster.url(.doc), token: firm.contact)
            let upload = try await asContact.upload(account: firm.account, folder: firm.folder, fields: ["threadId": id])
            #expect(upload.status == 201, "\(upload.json)")
            let uploaded = try #require((upload.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            try await eventually("the client's upload on the thread's tab") { try await Set(firm.tab(id)) == [shared, uploaded] }
            let elsewhere = try await asContact.upload(account: firm.account, folder: firm.folder, fields: ["threadId": Identifier.make("thr")])
            #expect(elsewhere.status == 400, "a thread ChatService does not know: \(elsewhere.json)")
            #expect(try await firm.docs.send(.DELETE, "/v1/documents/\(shared)").status == 204)
            try await eventually("the deleted document off the thread") { try await firm.tab(id) == [uploaded] }
            let messages = try await firm.chat.send(.GET, "/v1/threads/\(id)/messages").json["items"] as? [[String: Any]] ?? []
            #expect(messages.allSatisfy { ($0["attachments"] as? [Any])?.isEmpty == true }, "the message lost its attachment too")
        }
    }

    @Test("the client checks the last task: the pipeline hears tasks_completed once; a firm's subscription never gets a note")
    func headline() async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, hook in
                try await IntegrationHarness.with(.sqlite) { cluster in
                    let firm = try await Firm.make(cluster)
                    #expect(try await firm.chat.send(.POST, "/v1/webhooks/subscriptions", json: [
                        "url": hook, "secret": TestConsumer.secret, "eventTypes": ["*"],
                    ]).status == 201)
                    let thread = try await firm.chat.send(.POST, "/v1/threads", json: [
                        "accountId": firm.account, "subject": "Docs", "text": "Two things", "tasks": [["text": "One"], ["text": "Two"]],
                    ])
                    let id = try #require(thread.json["id"] as? String)
                    #expect(try await firm.chat.send(.POST, "/v1/threads/\(id)/messages", json: ["text": "secret note", "internal": true]).status == 201)
                    let asContact = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)
                    for task in (thread.json["tasks"] as? [[String: Any]] ?? []).compactMap({ $0["id"] as? String }) {
                        #expect(try await asContact.send(.PATCH, "/v1/threads/\(id)/tasks/\(task)", json: ["done": true]).status == 200)
                    }
                    let pipeline = ServiceHTTP(base: cluster.url(.pipeline), token: firm.owner)
                    try await eventually("the pipeline to hear the thread is complete") {
                        try await WalkingSkeletonTests.recordedEvents(pipeline, thread: id) == 1
                    }
                    try await eventually("the firm's subscription to get the completion") {
                        await TestConsumer.data(consumer.bodies).contains { $0["threadId"] as? String == id && $0["taskVersion"] != nil && $0["jobIds"] != nil }
                    }
                    let bodies = await consumer.bodies.map { String(decoding: $0, as: UTF8.self) }
                    #expect(!bodies.contains { $0.contains("secret note") || $0.contains("chat.note.created") }, "an internal note reached a firm's subscription")
                    #expect(bodies.contains { $0.contains("chat.message.created") && $0.contains("Two things") })
                    #expect(try await WalkingSkeletonTests.recordedEvents(pipeline, thread: id) == 1)
                }
            }
        }
    }
}
