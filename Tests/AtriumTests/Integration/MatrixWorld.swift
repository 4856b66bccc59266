import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// A firm built through the real AccountService for the authorization matrix: one person of every
/// kind, two accounts, contacts, a tag, threads in ChatService and PipelineService, a folder, and a
/// webhook subscription with a delivery. Several firms live side by side in one cluster, each under
/// its own `label` (e-mail domains, names).
struct MatrixWorld: Sendable {
    typealias Persona = AuthorizationMatrixTests.Persona

    let firmID: String
    /// Bearer headers; none for the anonymous caller.
    let tokens: [Persona: String]
    let memberIDs: [Persona: String]
    /// The account the assigned employee and `contact` belong to, and the other contact's account.
    let accountA: String
    let accountB: String
    let contactA: String
    /// A contact of account A that has not accepted an invitation.
    let pendingContact: String
    let tag: String
    /// A thread of account A with one task, and one whose task is done and known to the pipeline.
    let thread: String
    let task: String
    let completedThread: String
    /// A thread of account A whose one task (`orderTask`) the rows never change, and a job `thread` is linked to.
    let orderThread: String
    let orderTask: String
    let job: String
    /// A bulk send of the firm to account A.
    let bulkSend: String
    let spareMember: String
    /// A folder of account A.
    let folder: String
    /// Documents in `folder`: one the clients may view, one hidden from them.
    let document: String
    let hiddenDocument: String
    /// The firm's webhook subscription on AccountService, and one of its deliveries.
    let subscription: String
    let delivery: String
    // Folder templates
    /// A folder template of the firm.
    let template: String
    // Chat templates
    /// A chat template of the firm.
    let chatTemplate: String
    // Inbox+
    /// An item of `contactA`'s inbox (NotifyService told them of `thread`).
    let inboxItem: String
    /// An e-mail template of the firm.
    let emailTemplate: String
    // Pipelines
    /// A pipeline of the firm, its first stage, and a second pipeline whose two stages the rows reorder.
    let pipeline: String
    let stage: String
    let orderPipeline: String
    let orderStages: [String]
    /// The pipeline's second stage, with one automation; a job of account A in the pipeline.
    let secondStage: String
    let automation: String
    let pipelineJob: String
    /// Item templates, client items and a team task of `pipelineJob`.
    let items: MatrixItems

    /// The ids of this firm the matrix's rows name: another firm must not tell any of them from nothing.
    var ids: Set<String> {
        Set<String>([firmID, accountA, accountB, contactA, pendingContact, tag, thread, task, completedThread, orderThread, orderTask, job, bulkSend, spareMember,
         folder, subscription, delivery, document, hiddenDocument, template, chatTemplate, inboxItem, emailTemplate, pipeline, stage, orderPipeline,
         secondStage, automation, pipelineJob])
            .union(orderStages).union(items.ids)
    }

    /// Builds the firm labelled `label`: its people are `<persona>@<label>.example`, its contacts
    /// `<name>@alpha.<label>.example` and `<name>@beta.<label>.example`, its tag `<Label>`.
    static func build(_ cluster: Cluster, consumer: TestConsumer, hook: String, label: String = "matrix") async throws -> MatrixWorld {
        let password = AuthorizationMatrixTests.password
        let account = ServiceHTTP(base: cluster.url(.account))
        let signup = try await account.send(.POST, "/v1/firms", json: [
            "firmName": "\(label.capitalized) & Partners",
            "owner": ["email": "owner@\(label).example", "firstName": "Mona", "lastName": "Owner", "password": password],
        ])
        #expect(signup.status == 201)
        let owner = "Bearer " + (try #require((signup.json["tokens"] as? [String: Any])?["accessToken"] as? String))
        let firmID = try #require((signup.json["firm"] as? [String: Any])?["id"] as? String)
        let asOwner = ServiceHTTP(base: cluster.url(.account), token: owner)
        let subscription = try #require(try await asOwner.send(.POST, "/v1/webhooks/subscriptions", json: [
            "url": hook, "secret": TestConsumer.secret,
            "eventTypes": ["account.tags_updated", "account.access_updated", "account.member_updated"],
        ]).json["id"] as? String)
        // Invitation events are internal to Atrium: only a service may subscribe to them (as NotifyService does).
        let asService = ServiceHTTP(base: cluster.url(.account), token: try await TestConfiguration.serviceToken("notify-service", to: .account))
        #expect(try await asService.send(.PUT, "/v1/webhooks/subscriptions/matrix-invitations-\(label)", json: [
            "url": hook, "secret": TestConsumer.secret, "eventTypes": ["account.invitation_created"],
        ]).status == 201)

        func created(_ response: (status: Int, json: [String: Any])) throws -> String {
            #expect(response.status == 201 || response.status == 200, "\(response.json)")
            return try #require(response.json["id"] as? String)
        }
        var tokens: [Persona: String] = [.owner: owner]
        var memberIDs: [Persona: String] = [.owner: try #require((signup.json["owner"] as? [String: Any])?["id"] as? String)]
        for (persona, role, rights) in [(Persona.admin, "admin", [String]()), (.assigned, "employee", []), (.unassigned, "employee", []),
                                        (.viewAll, "employee", ["view_all_accounts"]), (.manager, "employee", ["manage_documents"])] {
            let email = "\(persona.rawValue.lowercased())@\(label).example"
            memberIDs[persona] = try created(try await asOwner.send(.POST, "/v1/team-members", json: [
                "email": email, "firstName": persona.rawValue, "lastName": "Member", "password": password, "role": role, "rights": rights,
            ]))
            let login = try await account.send(.POST, "/v1/auth/token", json: ["email": email, "password": password])
            tokens[persona] = "Bearer " + (try #require(login.json["accessToken"] as? String))
        }
        let spareMember = try created(try await asOwner.send(.POST, "/v1/team-members", json: [
            "email": "spare@\(label).example", "firstName": "Spare", "lastName": "Member", "password": password,
        ]))
        let accountA = try created(try await asOwner.send(.POST, "/v1/accounts", json: ["name": "Alpha Ltd", "kind": "company"]))
        let accountB = try created(try await asOwner.send(.POST, "/v1/accounts", json: ["name": "Beta LLP", "kind": "company"]))
        #expect(try await asOwner.send(.POST, "/v1/accounts/\(accountA)/access", json: [
            "give": [memberIDs[.assigned], memberIDs[.manager]],
        ]).status == 200)

        func activeContact(_ email: String, on accountID: String) async throws -> (String, String) {
            let id = try created(try await asOwner.send(.POST, "/v1/accounts/\(accountID)/contacts", json: [
                "email": email, "firstName": "Cleo", "lastName": "Client", "portalAccess": true,
            ]))
            #expect(try await asOwner.send(.POST, "/v1/accounts/\(accountID)/contacts/\(id)/invitation").status == 202)
            let token = try await invitationToken(cluster, consumer: consumer, subject: id)
            let accepted = try await account.send(.POST, "/v1/invitations/accept", json: ["token": token, "password": password])
            #expect(accepted.status == 200)
            return (id, "Bearer " + (try #require(accepted.json["accessToken"] as? String)))
        }
        let (contactA, contactToken) = try await activeContact("cleo@alpha.\(label).example", on: accountA)
        let (_, otherToken) = try await activeContact("omar@beta.\(label).example", on: accountB)
        tokens[.contact] = contactToken
        let view = try await ServiceHTTP(base: cluster.url(.account), token: tokens[.assigned])
            .send(.POST, "/v1/accounts/\(accountA)/contacts/\(contactA)/portal-view")
        #expect(view.status == 201, "\(view.json)")
        tokens[.portalView] = "Bearer " + (try #require(view.json["accessToken"] as? String))
        tokens[.otherContact] = otherToken
        let pending = try created(try await asOwner.send(.POST, "/v1/accounts/\(accountA)/contacts", json: [
            "email": "pending@alpha.\(label).example", "firstName": "Pat", "lastName": "Pending",
        ]))
        let tag = try created(try await asOwner.send(.POST, "/v1/tags", json: ["name": label.capitalized]))
        #expect(try await asOwner.send(.POST, "/v1/accounts/\(accountA)/tags", json: ["add": [tag]]).status == 200)

        let chat = ServiceHTTP(base: cluster.url(.chat), token: owner)
        let job = Identifier.make("job")
        let thread = try await chat.send(.POST, "/v1/threads", json: [
            "accountId": accountA, "subject": "Matrix", "text": "Hello", "tasks": [["text": "Sign"]], "jobIds": [job],
        ])
        let threadID = try created(thread)
        let order = try await chat.send(.POST, "/v1/threads", json: ["accountId": accountA, "subject": "Order", "tasks": [["text": "Stay"]]])
        let orderID = try created(order)
        let orderTask = try #require((order.json["tasks"] as? [[String: Any]])?.first?["id"] as? String)
        let bulk = try await chat.send(.POST, "/v1/bulk-sends", json: ["accountIds": [accountA], "subject": "Bulk", "text": "To all"])
        #expect(bulk.status == 202, "\(bulk.json)")
        let bulkSend = try #require(bulk.json["id"] as? String)
        let taskID = try #require((thread.json["tasks"] as? [[String: Any]])?.first?["id"] as? String)
        let done = try await chat.send(.POST, "/v1/threads", json: ["accountId": accountA, "subject": "Done", "tasks": [["text": "Sign"]]])
        let doneID = try created(done)
        let doneTask = try #require((done.json["tasks"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try await chat.send(.PATCH, "/v1/threads/\(doneID)/tasks/\(doneTask)", json: ["done": true]).status == 200)
        let pipeline = ServiceHTTP(base: cluster.url(.pipeline), token: owner)
        try await eventually("the pipeline to record the completed thread") {
            try await pipeline.send(.GET, "/v1/chat-threads/\(doneID)").status == 200
        }
        let folder = try created(try await ServiceHTTP(base: cluster.url(.doc), token: owner)
            .send(.POST, "/v1/accounts/\(accountA)/folders", json: ["name": "Matrix"]))
        let docs = ServiceHTTP(base: cluster.url(.doc), token: owner)
        let document = try await uploadDocument(docs, account: accountA, folder: folder, access: "view")
        let hiddenDocument = try await uploadDocument(docs, account: accountA, folder: folder, access: "none")
        let delivery = try await firstDelivery(of: subscription, asOwner)
        // Folder templates
        let template = try created(try await ServiceHTTP(base: cluster.url(.doc), token: owner).send(.POST, "/v1/folder-templates", json: [
            "name": "Matrix", "folders": [["name": "Matrix"], ["name": "Onboarding", "children": [["name": "Letters"]]]],
        ]))
        // Chat templates
        let chatTemplate = try created(try await chat.send(.POST, "/v1/chat-templates", json: [
            "name": "Matrix", "subject": "[ACCOUNT_NAME]: documents for [LAST_YEAR]", "body": "Dear [CONTACT_FIRST_NAME],",
            "tasks": [["text": "Upload your bank statements"]], "reminders": ["daysUntilNext": 3, "count": 2],
        ]))
        // Inbox+: NotifyService told the contact of the new thread.
        let contactInbox = ServiceHTTP(base: cluster.url(.notify), token: tokens[.contact])
        var inboxItem: String?
        try await eventually("the contact's inbox item") {
            inboxItem = (try await contactInbox.send(.GET, "/v1/inbox").json["items"] as? [[String: Any]])?.first?["id"] as? String
            return inboxItem != nil
        }
        let emailTemplate = try created(try await ServiceHTTP(base: cluster.url(.notify), token: owner).send(.POST, "/v1/email-templates", json: [
            "name": "Matrix", "subject": "[ACCOUNT_NAME]", "body": "Dear [CONTACT_FIRST_NAME],",
        ]))
        let madePipeline = try await pipeline.send(.POST, "/v1/pipelines", json: ["name": "Matrix", "stages": [["name": "One"], ["name": "Two"]]])
        let ordered = try await pipeline.send(.POST, "/v1/pipelines", json: ["name": "Order", "stages": [["name": "A"], ["name": "B"]]])
        let madeID = try created(madePipeline)
        let secondStage = try #require((madePipeline.json["stages"] as? [[String: Any]])?.last?["id"] as? String)
        let automated = try await pipeline.send(.POST, "/v1/pipelines/\(madeID)/stages/\(secondStage)/automations",
                                                json: ["type": "update_job_assignees", "members": ["add": [spareMember]]])
        let automation = try #require(((automated.json["stages"] as? [[String: Any]])?.last?["automations"] as? [[String: Any]])?.first?["id"] as? String)
        let madeJob = try await pipeline.send(.POST, "/v1/jobs", json: ["accountId": accountA, "pipelineId": madeID, "name": "Matrix"])
        let pipelineJob = try created(madeJob)
        let items = try await MatrixItems.seed(cluster, firmID: firmID, accountA: accountA, job: pipelineJob,
                                               entry: try #require(madeJob.json["entryId"] as? String))
        return MatrixWorld(
            firmID: firmID, tokens: tokens, memberIDs: memberIDs, accountA: accountA, accountB: accountB, contactA: contactA,
            pendingContact: pending, tag: tag, thread: threadID, task: taskID, completedThread: doneID,
            orderThread: orderID, orderTask: orderTask, job: job, bulkSend: bulkSend, spareMember: spareMember,
            folder: folder, document: document, hiddenDocument: hiddenDocument, subscription: subscription, delivery: delivery,
            template: template, chatTemplate: chatTemplate, inboxItem: try #require(inboxItem),
            emailTemplate: emailTemplate, pipeline: try created(madePipeline),
            stage: try #require((madePipeline.json["stages"] as? [[String: Any]])?.first?["id"] as? String),
            orderPipeline: try created(ordered), orderStages: (ordered.json["stages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String },
            secondStage: secondStage, automation: automation, pipelineJob: pipelineJob, items: items)
    }

    /// Uploads one small PDF into `folder` with the given client access; answers its id.
    static func uploadDocument(_ docs: ServiceHTTP, account: String, folder: String, access: String) async throws -> String {
        let (status, json) = try await docs.upload(account: account, folder: folder, fields: ["clientAccess": access])
        #expect(status == 201, "\(json)")
        return try #require((json["items"] as? [[String: Any]])?.first?["id"] as? String)
    }

    /// The id of a delivery made to `subscription` (the firm's own events went to it while it was built).
    static func firstDelivery(of subscription: String, _ asOwner: ServiceHTTP) async throws -> String {
        var delivery: String?
        try await eventually("a delivery to \(subscription)") {
            let (_, page) = try await asOwner.send(.GET, "/v1/webhooks/deliveries?subscriptionId=\(subscription)")
            delivery = (page["items"] as? [[String: Any]])?.first?["id"] as? String
            return delivery != nil
        }
        return try #require(delivery)
    }

    /// Returns once `delivery` (to `subscription`) is delivered, so it may be replayed.
    static func delivered(_ delivery: String, of subscription: String, _ asOwner: ServiceHTTP) async throws {
        try await eventually("delivery \(delivery) to land") {
            let (_, page) = try await asOwner.send(.GET, "/v1/webhooks/deliveries?status=delivered&subscriptionId=\(subscription)&limit=100")
            return (page["items"] as? [[String: Any]])?.contains { $0["id"] as? String == delivery } == true
        }
    }

    /// The token of `subject`'s latest invitation, fetched as NotifyService does: the event names the
    /// invitation (it carries no secret), and AccountService gives the token to NotifyService alone.
    static func invitationToken(_ cluster: Cluster, consumer: TestConsumer, subject: String) async throws -> String {
        var invitation: String?
        try await eventually("the invitation of \(subject)") {
            invitation = await consumer.bodies.compactMap { try? JSON.object($0)["data"] as? [String: Any] }
                .last { $0["subjectId"] as? String == subject && $0["invitationId"] != nil }?["invitationId"] as? String
            return invitation != nil
        }
        let notify = ServiceHTTP(base: cluster.url(.account), token: try await TestConfiguration.serviceToken("notify-service"))
        let link = try await notify.send(.GET, "/v1/invitations/\(invitation ?? "")/link")
        #expect(link.status == 200, "\(link.json)")
        return try #require(link.json["token"] as? String)
    }

    /// A path fixed for every persona.
    static func at(_ path: String) -> @Sendable (Persona) async throws -> String { { _ in path } }
}
