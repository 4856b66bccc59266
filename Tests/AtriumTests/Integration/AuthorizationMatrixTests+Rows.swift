import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1

/// The matrix itself: every endpoint of every service, with the answer SPEC "People and access"
/// gives each kind of caller. 404 means "you may not know this exists"; 403 means "you may know,
/// but your role may not do this".
extension AuthorizationMatrixTests {
    static func rows(_ world: MatrixWorld, cluster: Cluster, hook: String) -> [Row] {
        accountRows(world, cluster: cluster) + accountPeopleRows(world, cluster: cluster) + tagRows(world, cluster: cluster)
            + chatAndPipelineRows(world) + folderRows(world, cluster: cluster) + documentRows(world, cluster: cluster) + webhookRows(world, cluster: cluster, hook: hook) + publicRows()
            // Folder templates
            + folderTemplateRows(world, cluster: cluster)
            // Chat templates
            + chatTemplateRows(world, cluster: cluster)
            // Inbox+, preferences and the e-mail queue
            + notifyRows(world)
            // Pipelines and stages
            + pipelineRows(world)
            // Automations, jobs and boards
            + jobRows(world)
            // Client items, team tasks and their templates
            + itemRows(world, world.items)
            // Pipeline export and import
            + exchangeRows(world)
    }

    /// Pipelines: the firm's team reads them; owners and admins shape them; contacts never see them.
    static func pipelineRows(_ w: MatrixWorld) -> [Row] {
        let members = { (status: Int) in expect(owner: status, assigned: status, unassigned: status, contact: 403, otherContact: 403) }
        let admins = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        return [
            row(.pipeline, .GET, "/v1/pipelines", members(200)),
            Row(service: .pipeline, method: .POST, path: MatrixWorld.at("/v1/pipelines"),
                body: { ["name": unique($0), "stages": [["name": "One"]]] }, expected: admins(201)),
            row(.pipeline, .GET, "/v1/pipelines/\(w.pipeline)", members(200)),
            row(.pipeline, .PATCH, "/v1/pipelines/\(w.pipeline)", ["name": "Matrix"], admins(200)),
            row(.pipeline, .DELETE, "/v1/pipelines/pl_missing", admins(404)),
            Row(service: .pipeline, method: .POST, path: MatrixWorld.at("/v1/pipelines/\(w.pipeline)/stages"),
                body: { ["name": unique($0)] }, expected: admins(201)),
            row(.pipeline, .PATCH, "/v1/pipelines/\(w.pipeline)/stages/\(w.stage)", ["name": "One"], admins(200)),
            row(.pipeline, .DELETE, "/v1/pipelines/\(w.pipeline)/stages/stg_missing", admins(404)),
            row(.pipeline, .PUT, "/v1/pipelines/\(w.orderPipeline)/stage-order", ["stageIds": Array(w.orderStages.reversed())], admins(200)),
        ]
    }

    /// Automations are edited by owners and admins; a job is seen by whoever sees its account; contacts never.
    static func jobRows(_ w: MatrixWorld) -> [Row] {
        let members = { (status: Int) in expect(owner: status, assigned: status, unassigned: status, contact: 403, otherContact: 403) }
        let admins = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        let job = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: 403, otherContact: 403) }
        let stageTwo = "/v1/pipelines/\(w.pipeline)/stages/\(w.secondStage)"
        return [
            row(.pipeline, .POST, "/v1/pipelines/\(w.pipeline)/stages/\(w.stage)/automations",
                ["type": "update_account_tags", "tags": ["add": [w.tag]]], admins(201)),
            row(.pipeline, .PUT, "\(stageTwo)/automation-order", ["automationIds": [w.automation]], admins(200)),
            row(.pipeline, .PUT, "\(stageTwo)/automations/\(w.automation)", ["type": "update_job_assignees", "members": ["add": [w.spareMember]]], admins(200)),
            row(.pipeline, .DELETE, "\(stageTwo)/automations/aut_missing", admins(404)),
            row(.pipeline, .GET, "/v1/pipelines/\(w.pipeline)/board?limit=10", members(200)),
            row(.pipeline, .GET, "/v1/jobs?accountId=\(w.accountA)", expect(owner: 200, assigned: 200, unassigned: 400, contact: 403, otherContact: 403)),
            Row(service: .pipeline, method: .POST, path: MatrixWorld.at("/v1/jobs"),
                body: { ["accountId": w.accountA, "pipelineId": w.orderPipeline, "name": unique($0)] },
                expected: expect(owner: 201, assigned: 201, unassigned: 400, contact: 403, otherContact: 403)),
            row(.pipeline, .GET, "/v1/jobs/\(w.pipelineJob)", job(200)),
            row(.pipeline, .PATCH, "/v1/jobs/\(w.pipelineJob)", ["priority": "high"], job(200)),
            row(.pipeline, .PUT, "/v1/jobs/\(w.pipelineJob)/status", ["status": "active"], job(200)),
            row(.pipeline, .POST, "/v1/jobs/\(w.pipelineJob)/move", ["stageId": "stg_missing", "unfinished": "keep"], job(404)),
            row(.pipeline, .GET, "/v1/jobs/\(w.pipelineJob)/history", job(200)),
            row(.pipeline, .GET, "/v1/jobs/\(w.pipelineJob)/automation-runs", job(200)),
            // Nothing of the matrix job has failed: those who may retry hear so.
            row(.pipeline, .POST, "/v1/jobs/\(w.pipelineJob)/automation-runs/retry", [:], job(409)),
            row(.pipeline, .GET, "/v1/jobs/\(w.pipelineJob)/threads", job(200)),
            row(.pipeline, .PUT, "/v1/jobs/\(w.pipelineJob)/threads/\(w.thread)", job(200)),
            row(.pipeline, .DELETE, "/v1/jobs/\(w.pipelineJob)/threads/\(w.completedThread)", job(204)),
        ]
    }

    /// NotifyService: everyone has an inbox of their own (a portal view reads the contact's);
    /// preferences are team members'; the e-mail queue is the owners' and admins'.
    static func notifyRows(_ w: MatrixWorld) -> [Row] {
        let everyone = { (status: Int) in expect(owner: status, assigned: status, unassigned: status, contact: status, otherContact: status) }
        let members = { (status: Int) in expect(owner: status, assigned: status, unassigned: status, contact: 403, otherContact: 403) }
        let admins = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        return [
            row(.notify, .GET, "/v1/inbox?unread=true&limit=10", everyone(200)),
            row(.notify, .GET, "/v1/inbox/counts", everyone(200)),
            row(.notify, .GET, "/v1/inbox/events?once=true", everyone(200)),
            row(.notify, .POST, "/v1/inbox/read-all", [:], everyone(200)),
            // Nobody's item is anybody else's: one that is not the caller's is missing.
            row(.notify, .GET, "/v1/inbox/ntf_missing", everyone(404)),
            row(.notify, .PATCH, "/v1/inbox/ntf_missing", ["read": true], everyone(404)),
            // The contact's own item: theirs alone (a portal view of them reads it and changes nothing).
            row(.notify, .GET, "/v1/inbox/\(w.inboxItem)", expect(owner: 404, assigned: 404, unassigned: 404, contact: 200, otherContact: 404)),
            row(.notify, .PATCH, "/v1/inbox/\(w.inboxItem)", ["read": false], expect(owner: 404, assigned: 404, unassigned: 404, contact: 200, otherContact: 404)),
            row(.notify, .GET, "/v1/notification-preferences", members(200)),
            row(.notify, .PUT, "/v1/notification-preferences", ["items": [["kind": "task_changed", "channel": "inbox"]]], members(200)),
            row(.notify, .GET, "/v1/emails?status=held", admins(200)),
            // E-mail templates: the firm's; owners and admins manage them.
            row(.notify, .GET, "/v1/email-templates", members(200)),
            Row(service: .notify, method: .POST, path: MatrixWorld.at("/v1/email-templates"),
                body: { ["name": unique($0), "subject": "Hello [ACCOUNT_NAME]", "body": "Dear [CONTACT_FIRST_NAME]"] }, expected: admins(201)),
            row(.notify, .GET, "/v1/email-templates/\(w.emailTemplate)", members(200)),
            row(.notify, .PATCH, "/v1/email-templates/\(w.emailTemplate)", ["subject": "Hello [ACCOUNT_NAME]"], admins(200)),
            row(.notify, .DELETE, "/v1/email-templates/etpl_missing", admins(404)),
            // The pipeline's "send e-mail": whoever may see the account (services too); a fresh key each time.
            Row(service: .notify, method: .POST, path: MatrixWorld.at("/v1/accounts/\(w.accountA)/emails"), body: { _ in ["templateId": w.emailTemplate] },
                expected: expect(owner: 201, assigned: 201, unassigned: 404, contact: 403, otherContact: 403),
                headers: { _ in [("Idempotency-Key", UUID().uuidString)] }),
            row(.notify, .GET, "/v1/emails/eml_missing", admins(404)),
            row(.notify, .POST, "/v1/inbound/chat-events", ["unsigned": true], all(400)),
            row(.notify, .POST, "/v1/inbound/invitation-events", ["unsigned": true], all(400)),
            row(.notify, .POST, "/v1/inbound/pipeline-events", ["unsigned": true], all(400)),
        ]
    }

    static func row(_ service: ServiceName, _ method: HTTPMethod, _ path: String, _ expected: [Persona: Int]) -> Row {
        row(service, method, path, nil, expected)
    }

    static func row(
        _ service: ServiceName, _ method: HTTPMethod, _ path: String, _ body: [String: Any]?, _ expected: [Persona: Int]
    ) -> Row {
        nonisolated(unsafe) let body = body
        return Row(service: service, method: method, path: MatrixWorld.at(path), body: { _ in body }, expected: expected)
    }

    static func unique(_ persona: Persona) -> String { "\(persona.rawValue.lowercased())-\(UInt32.random(in: 0...UInt32.max))" }

    /// The firm, the caller, the team and accounts.
    static func accountRows(_ w: MatrixWorld, cluster: Cluster) -> [Row] {
        let team200 = expect(owner: 200, assigned: 200, unassigned: 200, contact: 403, otherContact: 403)
        let adminsOnly = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        let seeA = expect(owner: 200, assigned: 200, unassigned: 404, contact: 200, otherContact: 404)
        let manageA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: 403, otherContact: 404) }
        return [
            row(.account, .GET, "/v1/firms/\(w.firmID)", expect(owner: 200, assigned: 200, unassigned: 200, contact: 200, otherContact: 200)),
            row(.account, .GET, "/v1/firms/firm_elsewhere", expect(owner: 404, assigned: 404, unassigned: 404, contact: 404, otherContact: 404)),
            row(.account, .PATCH, "/v1/firms/\(w.firmID)/settings", ["reminderCount": 1], adminsOnly(200)),
            row(.account, .GET, "/v1/firms/\(w.firmID)/activity", adminsOnly(200)),
            row(.account, .GET, "/v1/me", expect(owner: 200, assigned: 200, unassigned: 200, contact: 200, otherContact: 200)),
            row(.account, .GET, "/v1/team-members", team200),
            Row(service: .account, method: .POST, path: MatrixWorld.at("/v1/team-members"),
                body: { ["email": "\(unique($0))@matrix.example", "firstName": "New", "lastName": "Hire"] }, expected: adminsOnly(201)),
            row(.account, .GET, "/v1/team-members/\(w.spareMember)", team200),
            row(.account, .PATCH, "/v1/team-members/\(w.spareMember)", ["firstName": "Spare"], adminsOnly(200)),
            row(.account, .GET, "/v1/accounts", expect(owner: 200, assigned: 200, unassigned: 200, contact: 200, otherContact: 200)),
            row(.account, .POST, "/v1/accounts", ["name": "Gamma", "kind": "individual"],
                expect(owner: 201, assigned: 201, unassigned: 201, contact: 403, otherContact: 403)),
            row(.account, .GET, "/v1/accounts/\(w.accountA)", seeA),
            row(.account, .GET, "/v1/accounts/acct_missing", expect(owner: 404, assigned: 404, unassigned: 404, contact: 404, otherContact: 404)),
            row(.account, .PATCH, "/v1/accounts/\(w.accountA)", ["kind": "company"], manageA(200)),
            row(.account, .GET, "/v1/accounts/\(w.accountA)/access", manageA(200)),
            row(.account, .POST, "/v1/accounts/\(w.accountA)/access", [:],
                expect(owner: 200, assigned: 403, unassigned: 404, viewAll: 403, contact: 403, otherContact: 404)),
            row(.account, .GET, "/v1/accounts/\(w.accountA)/recipients", manageA(200)),
            // An invitation's secret goes to NotifyService alone: no person gets it, whatever their role.
            row(.account, .GET, "/v1/invitations/inv_missing/link", all(403).merging([.anonymous: 401]) { _, new in new }),
        ]
    }

    /// Contacts of account A and their invitations.
    static func accountPeopleRows(_ w: MatrixWorld, cluster: Cluster) -> [Row] {
        let manageA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: 403, otherContact: 404) }
        let owner = ServiceHTTP(base: cluster.url(.account), token: w.tokens[.owner])
        let accountA = w.accountA
        return [
            row(.account, .GET, "/v1/accounts/\(w.accountA)/contacts", manageA(200)),
            Row(service: .account, method: .POST, path: MatrixWorld.at("/v1/accounts/\(w.accountA)/contacts"),
                body: { ["email": "\(unique($0))@alpha.example", "firstName": "Extra", "lastName": "Contact"] }, expected: manageA(201)),
            row(.account, .PATCH, "/v1/accounts/\(w.accountA)/contacts/\(w.contactA)", ["notify": true], manageA(200)),
            row(.account, .POST, "/v1/accounts/\(w.accountA)/contacts/\(w.pendingContact)/invitation", manageA(202)),
            row(.account, .POST, "/v1/accounts/\(w.accountA)/contacts/\(w.contactA)/portal-view", manageA(201)),
            Row(service: .account, method: .DELETE, path: { persona in
                // A fresh contact for every caller, so each refusal is about the caller, not a missing contact.
                let (_, contact) = try await owner.send(.POST, "/v1/accounts/\(accountA)/contacts", json: [
                    "email": "\(unique(persona))@leaving.example", "firstName": "Lee", "lastName": "Ving",
                ])
                return "/v1/accounts/\(accountA)/contacts/\(contact["id"] as? String ?? "")"
            }, body: { _ in nil }, expected: manageA(204)),
        ]
    }

    /// The tag catalogue and account A's tags.
    static func tagRows(_ w: MatrixWorld, cluster: Cluster) -> [Row] {
        let adminsOnly = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        let manageA = expect(owner: 200, assigned: 200, unassigned: 404, contact: 403, otherContact: 404)
        let owner = ServiceHTTP(base: cluster.url(.account), token: w.tokens[.owner])
        return [
            row(.account, .GET, "/v1/tags", expect(owner: 200, assigned: 200, unassigned: 200, contact: 403, otherContact: 403)),
            Row(service: .account, method: .POST, path: MatrixWorld.at("/v1/tags"), body: { ["name": unique($0)] }, expected: adminsOnly(201)),
            row(.account, .PATCH, "/v1/tags/\(w.tag)", ["name": "Matrix"], adminsOnly(200)),
            Row(service: .account, method: .DELETE, path: { persona in
                let (_, tag) = try await owner.send(.POST, "/v1/tags", json: ["name": unique(persona)])
                return "/v1/tags/\(tag["id"] as? String ?? "")"
            }, body: { _ in nil }, expected: adminsOnly(204)),
            row(.account, .GET, "/v1/accounts/\(w.accountA)/tags", manageA),
            row(.account, .POST, "/v1/accounts/\(w.accountA)/tags", [:], manageA),
        ]
    }

    /// Threads and client tasks; what the pipeline knows of them (clients never see pipelines).
    static func chatAndPipelineRows(_ w: MatrixWorld) -> [Row] {
        let seeA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: status, otherContact: 404) }
        return [
            row(.chat, .POST, "/v1/threads", ["accountId": w.accountA, "subject": "Question", "text": "Hi"], seeA(201)),
            row(.chat, .POST, "/v1/threads", ["accountId": w.accountB, "subject": "Question", "text": "Hi"],
                expect(owner: 201, assigned: 404, unassigned: 404, viewAll: 201, contact: 404, otherContact: 201)),
            row(.chat, .GET, "/v1/threads", expect(owner: 200, assigned: 200, unassigned: 200, contact: 200, otherContact: 200)),
            row(.chat, .GET, "/v1/threads?accountId=\(w.accountA)", seeA(200)),
            row(.chat, .GET, "/v1/threads/\(w.thread)", seeA(200)),
            row(.chat, .GET, "/v1/threads/thr_missing", expect(owner: 404, assigned: 404, unassigned: 404, contact: 404, otherContact: 404)),
            row(.chat, .PATCH, "/v1/threads/\(w.thread)/tasks/\(w.task)", ["done": false], seeA(200)),
            row(.pipeline, .GET, "/v1/chat-threads/\(w.completedThread)",
                expect(owner: 200, assigned: 200, unassigned: 404, contact: 403, otherContact: 403)),
        ] + chatMessageRows(w) + chatTaskRows(w) + chatLinkRows(w) + chatLiveRows(w)
    }

    // ---- Live updates ----------------------------------------------------------------------------
    /// The live streams, asked with `once=true` so that a 200 answers the (empty) catch-up and ends.
    static func chatLiveRows(_ w: MatrixWorld) -> [Row] {
        let seeA = expect(owner: 200, assigned: 200, unassigned: 404, contact: 200, otherContact: 404)
        return [
            row(.chat, .GET, "/v1/threads/\(w.thread)/events?once=true", seeA),
            row(.chat, .GET, "/v1/threads/events?once=true", expect(owner: 200, assigned: 200, unassigned: 200, contact: 200, otherContact: 200)),
            row(.chat, .GET, "/v1/threads/events?once=true&accountId=\(w.accountA)", seeA),
        ]
    }
    // ---- End of live updates ---------------------------------------------------------------------

    /// Messages and read state: everyone who sees the account.
    static func chatMessageRows(_ w: MatrixWorld) -> [Row] {
        let seeA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: status, otherContact: 404) }
        let teamA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: 403, otherContact: 404) }
        return [
            row(.chat, .GET, "/v1/threads/\(w.thread)/messages", seeA(200)),
            row(.chat, .POST, "/v1/threads/\(w.thread)/messages", ["text": "A reply"], seeA(201)),
            row(.chat, .POST, "/v1/threads/\(w.thread)/messages", ["text": "A note", "internal": true], teamA(201)),
            row(.chat, .POST, "/v1/threads/\(w.thread)/read", seeA(200)),
            row(.chat, .POST, "/v1/threads/\(w.thread)/archive", teamA(200)),
            row(.chat, .POST, "/v1/threads/\(w.thread)/reopen", teamA(200)),
            // Signed webhooks only: a body without a signature is refused whoever sends it.
            row(.chat, .POST, "/v1/inbound/doc-events", ["unsigned": true], all(400)),
        ]
    }

    /// Client tasks: the team shapes the list; the client checks it.
    static func chatTaskRows(_ w: MatrixWorld) -> [Row] {
        let teamA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: 403, otherContact: 404) }
        return [
            row(.chat, .POST, "/v1/threads/\(w.thread)/tasks", ["tasks": [["text": "One more"]]], teamA(200)),
            row(.chat, .PUT, "/v1/threads/\(w.orderThread)/tasks", ["taskIds": [w.orderTask]], teamA(200)),
            row(.chat, .POST, "/v1/threads/\(w.orderThread)/tasks/resend", teamA(201)),
            row(.chat, .PUT, "/v1/threads/\(w.orderThread)/reminders", ["daysUntilNext": 3, "count": 1], teamA(200)),
            row(.chat, .DELETE, "/v1/threads/\(w.orderThread)/reminders", teamA(200)),
            row(.chat, .DELETE, "/v1/threads/\(w.thread)/tasks/tsk_missing", expect(owner: 404, assigned: 404, unassigned: 404, contact: 403, otherContact: 404)),
        ]
    }

    /// Job links and the documents tab.
    static func chatLinkRows(_ w: MatrixWorld) -> [Row] {
        let seeA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: status, otherContact: 404) }
        let teamA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: 403, otherContact: 404) }
        return [
            row(.chat, .GET, "/v1/threads/\(w.thread)/jobs", teamA(200)),
            row(.chat, .PUT, "/v1/threads/\(w.thread)/jobs/\(w.job)", teamA(200)),
            row(.chat, .DELETE, "/v1/threads/\(w.orderThread)/jobs/\(w.job)", teamA(204)),
            row(.chat, .GET, "/v1/jobs/\(w.job)/threads", expect(owner: 200, assigned: 200, unassigned: 404, contact: 403, otherContact: 403)),
            row(.chat, .POST, "/v1/jobs/\(w.job)/messages", ["accountId": w.accountA, "mode": "reply_latest", "text": "Automation says hi"],
                expect(owner: 201, assigned: 201, unassigned: 404, contact: 403, otherContact: 403)),
            {
                var bulk = row(.chat, .POST, "/v1/bulk-sends", ["accountIds": [w.accountA], "subject": "Bulk", "text": "Hello"],
                               expect(owner: 202, assigned: 202, unassigned: 202, contact: 403, otherContact: 403))
                bulk.judgedLater = true
                return bulk
            }(),
            row(.chat, .GET, "/v1/bulk-sends/\(w.bulkSend)", expect(owner: 200, assigned: 200, unassigned: 200, contact: 404, otherContact: 404)),
            row(.chat, .GET, "/v1/bulk-sends/\(w.bulkSend)/items", expect(owner: 200, assigned: 200, unassigned: 200, contact: 404, otherContact: 404)),
            row(.account, .POST, "/v1/accounts/lookup", ["accountIds": [w.accountA]], all(403).merging([.anonymous: 401]) { _, new in new }),
            row(.chat, .GET, "/v1/threads/\(w.thread)/documents", seeA(200)),
            row(.chat, .POST, "/v1/threads/\(w.thread)/documents", ["documentId": w.document], teamA(200)),
            row(.chat, .DELETE, "/v1/threads/\(w.orderThread)/documents/\(w.document)", teamA(204)),
        ]
    }

    /// Account A's folder tree: everyone who sees the account lists it; owners, admins and
    /// "manage documents" employees organise it.
    static func folderRows(_ w: MatrixWorld, cluster: Cluster) -> [Row] {
        let organise = { (status: Int) in
            expect(owner: status, assigned: 403, manager: status, unassigned: 404, viewAll: 403, contact: 403, otherContact: 404)
        }
        let owner = ServiceHTTP(base: cluster.url(.doc), token: w.tokens[.owner])
        let accountA = w.accountA
        return [
            row(.doc, .GET, "/v1/accounts/\(w.accountA)/folders", expect(owner: 200, assigned: 200, unassigned: 404, contact: 200, otherContact: 404)),
            row(.doc, .GET, "/v1/accounts/acct_missing/folders", expect(owner: 404, assigned: 404, unassigned: 404, contact: 404, otherContact: 404)),
            Row(service: .doc, method: .POST, path: MatrixWorld.at("/v1/accounts/\(w.accountA)/folders"),
                body: { ["name": unique($0)] }, expected: organise(201)),
            Row(service: .doc, method: .PATCH, path: MatrixWorld.at("/v1/folders/\(w.folder)"),
                body: { ["name": unique($0)] }, expected: organise(200)),
            Row(service: .doc, method: .DELETE, path: { persona in
                let (_, folder) = try await owner.send(.POST, "/v1/accounts/\(accountA)/folders", json: ["name": unique(persona)])
                return "/v1/folders/\(folder["id"] as? String ?? "")"
            }, body: { _ in nil }, expected: organise(204)),
        ]
    }

    /// Account A's documents: everyone who sees the account reads; owners, admins and "manage
    /// documents" employees change; a contact uploads, reads what its access allows (the hidden
    /// document is a 404, like a missing one) and changes nothing it may only view.
    static func documentRows(_ w: MatrixWorld, cluster: Cluster) -> [Row] {
        let organise = { (status: Int, contact: Int) in
            expect(owner: status, assigned: 403, manager: status, unassigned: 404, viewAll: 403, contact: contact, otherContact: 404)
        }
        let seeA = expect(owner: 200, assigned: 200, unassigned: 404, contact: 200, otherContact: 404)
        let owner = ServiceHTTP(base: cluster.url(.doc), token: w.tokens[.owner])
        let (accountA, folder) = (w.accountA, w.folder)
        return [
            Row(service: .doc, method: .POST, path: MatrixWorld.at("/v1/accounts/\(w.accountA)/folders/\(w.folder)/documents"),
                body: { _ in nil }, expected: organise(201, 201), upload: true),
            Row(service: .doc, method: .POST, path: MatrixWorld.at("/v1/accounts/\(w.accountA)/documents"),
                body: { _ in nil }, expected: organise(201, 201), upload: true),
            row(.doc, .GET, "/v1/accounts/\(w.accountA)/documents", seeA),
            row(.doc, .GET, "/v1/documents/\(w.document)", seeA),
            row(.doc, .GET, "/v1/documents/\(w.document)/content", seeA),
            row(.doc, .GET, "/v1/documents/\(w.hiddenDocument)", expect(owner: 200, assigned: 200, unassigned: 404, contact: 404, otherContact: 404)),
            row(.doc, .GET, "/v1/documents/doc_missing", expect(owner: 404, assigned: 404, unassigned: 404, contact: 404, otherContact: 404)),
            Row(service: .doc, method: .PATCH, path: MatrixWorld.at("/v1/documents/\(w.document)"),
                body: { ["name": "\(unique($0)).pdf"] }, expected: organise(200, 403)),
            Row(service: .doc, method: .DELETE, path: { _ in
                let id = try await MatrixWorld.uploadDocument(owner, account: accountA, folder: folder, access: "view")
                return "/v1/documents/\(id)"
            }, body: { _ in nil }, expected: organise(204, 403)),
        ]
    }

    /// The webhooks API every service serves: owners, admins (and services) only. Subscriptions made
    /// here name an event type nothing publishes, so the test consumer never hears from them.
    static func webhookRows(_ w: MatrixWorld, cluster: Cluster, hook: String) -> [Row] {
        let operators = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        let quiet: [String: Any] = ["url": hook, "eventTypes": ["matrix.never"]]
        nonisolated(unsafe) let body = quiet
        let owner = { @Sendable (service: ServiceName) in ServiceHTTP(base: cluster.url(service), token: w.tokens[.owner]) }
        return ServiceName.allCases.flatMap { service in
            [
                row(service, .GET, "/v1/webhooks/event-types", operators(200)),
                row(service, .GET, "/v1/webhooks/subscriptions", operators(200)),
                row(service, .POST, "/v1/webhooks/subscriptions", quiet, operators(201)),
                row(service, .GET, "/v1/webhooks/deliveries", operators(200)),
                row(service, .GET, "/v1/webhooks/subscriptions/sub_missing", operators(404)),
                Row(service: service, method: .PUT, path: { "/v1/webhooks/subscriptions/matrix-\($0.rawValue.lowercased())" },
                    body: { _ in body }, expected: operators(201)),
                row(service, .GET, "/v1/webhooks/deliveries/dlv_missing/attempts", operators(404)),
                row(service, .POST, "/v1/webhooks/deliveries/dlv_missing/replay", operators(404)),
                row(service, .DELETE, "/v1/webhooks/subscriptions/sub_missing", operators(404)),
                Row(service: service, method: .DELETE, path: { _ in
                    let (_, made) = try await owner(service).send(.POST, "/v1/webhooks/subscriptions", json: body)
                    return "/v1/webhooks/subscriptions/\(made["id"] as? String ?? "")"
                }, body: { _ in nil }, expected: operators(204)),
            ]
        } + ownWebhookRows(w, owner: owner(.account), operators: operators)
    }

    /// The firm's own subscription on AccountService and one of its deliveries: real ids, where the
    /// rows above name missing ones.
    static func ownWebhookRows(_ w: MatrixWorld, owner: ServiceHTTP, operators: (Int) -> [Persona: Int]) -> [Row] {
        [
            row(.account, .GET, "/v1/webhooks/subscriptions/\(w.subscription)", operators(200)),
            row(.account, .GET, "/v1/webhooks/deliveries/\(w.delivery)/attempts", operators(200)),
            // A replay is refused while the delivery is still pending, so each caller waits for the last one to land.
            Row(service: .account, method: .POST, path: { _ in
                try await MatrixWorld.delivered(w.delivery, of: w.subscription, owner)
                return "/v1/webhooks/deliveries/\(w.delivery)/replay"
            }, body: { _ in nil }, expected: operators(202)),
        ]
    }

    // Folder templates
    /// The firm's folder templates: team members read them, owners and admins manage them,
    /// contacts never; applying one to account A is organising A's folders.
    static func folderTemplateRows(_ w: MatrixWorld, cluster: Cluster) -> [Row] {
        let team = { (status: Int) in expect(owner: status, assigned: status, unassigned: status, contact: 403, otherContact: 403) }
        let adminsOnly = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        let organise = expect(owner: 200, assigned: 403, manager: 200, unassigned: 404, viewAll: 403, contact: 403, otherContact: 404)
        let owner = ServiceHTTP(base: cluster.url(.doc), token: w.tokens[.owner])
        let folders: [[String: Any]] = [["name": "Matrix"]]
        nonisolated(unsafe) let structure = folders
        return [
            row(.doc, .GET, "/v1/folder-templates", team(200)),
            Row(service: .doc, method: .POST, path: MatrixWorld.at("/v1/folder-templates"),
                body: { ["name": unique($0), "folders": structure] }, expected: adminsOnly(201)),
            row(.doc, .GET, "/v1/folder-templates/\(w.template)", team(200)),
            row(.doc, .GET, "/v1/folder-templates/ftpl_missing", team(404)),
            row(.doc, .PATCH, "/v1/folder-templates/\(w.template)", ["name": "Matrix template"], adminsOnly(200)),
            Row(service: .doc, method: .DELETE, path: { persona in
                let (_, template) = try await owner.send(.POST, "/v1/folder-templates", json: ["name": unique(persona), "folders": structure])
                return "/v1/folder-templates/\(template["id"] as? String ?? "")"
            }, body: { _ in nil }, expected: adminsOnly(204)),
            row(.doc, .POST, "/v1/accounts/\(w.accountA)/folder-templates/\(w.template)/apply", organise),
            row(.doc, .POST, "/v1/accounts/\(w.accountA)/folder-templates/ftpl_missing/apply",
                expect(owner: 404, assigned: 403, manager: 404, unassigned: 404, viewAll: 403, contact: 403, otherContact: 404)),
        ]
    }

    // Chat templates
    /// The firm's chat templates: every team member lists and reads them, owners and admins
    /// manage them, contacts (and so portal views) never.
    static func chatTemplateRows(_ w: MatrixWorld, cluster: Cluster) -> [Row] {
        let team = { (status: Int) in expect(owner: status, assigned: status, unassigned: status, contact: 403, otherContact: 403) }
        let adminsOnly = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        let owner = ServiceHTTP(base: cluster.url(.chat), token: w.tokens[.owner])
        let template = { @Sendable (persona: Persona) -> [String: Any] in
            ["name": unique(persona), "subject": "Hello [ACCOUNT_NAME]", "body": "Dear [CONTACT_FIRST_NAME],"]
        }
        return [
            row(.chat, .GET, "/v1/chat-templates?search=matrix&limit=10", team(200)),
            Row(service: .chat, method: .POST, path: MatrixWorld.at("/v1/chat-templates"), body: template, expected: adminsOnly(201)),
            row(.chat, .GET, "/v1/chat-templates/\(w.chatTemplate)", team(200)),
            row(.chat, .GET, "/v1/chat-templates/ctpl_missing", team(404)),
            row(.chat, .PATCH, "/v1/chat-templates/\(w.chatTemplate)", ["subject": "Matrix [CURRENT_YEAR]"], adminsOnly(200)),
            Row(service: .chat, method: .DELETE, path: { persona in
                let (_, made) = try await owner.send(.POST, "/v1/chat-templates", json: template(persona))
                return "/v1/chat-templates/\(made["id"] as? String ?? "")"
            }, body: { _ in nil }, expected: adminsOnly(204)),
        ]
    }

    /// Routes open to everyone: their answer does not depend on who asks.
    static func publicRows() -> [Row] {
        [
            Row(service: .account, method: .POST, path: MatrixWorld.at("/v1/firms"), body: { persona in
                ["firmName": "Newcomers", "owner": ["email": "\(unique(persona))@signup.example", "firstName": "Nia",
                                                    "lastName": "Newcomer", "password": password]]
            }, expected: all(201)),
            row(.account, .POST, "/v1/auth/token", ["email": "nobody@matrix.example", "password": "wrong password 1"], all(401)),
            row(.account, .POST, "/v1/auth/contact-token", ["firmId": "firm_x", "email": "nobody@matrix.example", "password": "wrong password 1"], all(401)),
            row(.account, .POST, "/v1/auth/refresh", ["refreshToken": "made-up"], all(401)),
            row(.account, .POST, "/v1/invitations/accept", ["token": "made-up", "password": "long enough password"], all(400)),
            row(.account, .POST, "/v1/auth/service-token", ["service": "chat-service", "credential": "atr_made-up", "audience": "doc-service"], all(401)),
            row(.account, .GET, "/.well-known/jwks.json", all(200)),
            row(.pipeline, .POST, "/v1/inbound/chat-events", ["unsigned": true], all(400)),
        ] + [ServiceName.chat, .pipeline, .notify, .doc].flatMap { service in
            [
                row(service, .POST, "/v1/inbound/account-events", ["unsigned": true], all(400)),
                row(service, .GET, "/health/live", all(200)),
            ]
        }
    }
}
