import AccountService
import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import PipelineService
import SQLKit
import Testing

/// An in-process PipelineService with a fixed directory and a token per kind of caller, and its
/// database opened beside it so that tests make items the way the automation runner will
/// (`ItemStore.create`): `acct_1` has `mem_asg` assigned and `con_1` as its contact; `con_2` is the
/// contact of `acct_2`; `mem_x` owns another firm.
struct ItemWorld: Sendable {
    let client: any TestClientProtocol
    let database: Database
    let tokens: [String: String]

    static var directory: FixedDirectory {
        var directory = FixedDirectory()
        directory.grants["acct_1"]?.memberIDs = ["mem_asg"]
        directory.grants["acct_1"]?.contactIDs = ["con_1"]
        directory.grants["acct_2"]?.contactIDs = ["con_2"]
        return directory
    }

    static func run(_ engine: TestEngine, overrides: [String: String] = [:], _ body: @escaping @Sendable (ItemWorld) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await PipelineService.buildApplication(try TestConfiguration.make(.pipeline, storage: storage, overrides: overrides),
                                                                 directory: Self.directory)
            let signer = try await TestConfiguration.signer()
            func token(_ caller: Caller) async throws -> String { "Bearer " + (try await signer.issue(for: caller)) }
            let tokens = [
                "owner": try await token(Caller(kind: .member, subject: "mem_test", firmID: "firm_test", role: .owner)),
                "admin": try await token(Caller(kind: .member, subject: "mem_adm", firmID: "firm_test", role: .admin)),
                "assigned": try await token(Caller(kind: .member, subject: "mem_asg", firmID: "firm_test", role: .employee)),
                "unassigned": try await token(Caller(kind: .member, subject: "mem_emp", firmID: "firm_test", role: .employee)),
                "contact": try await token(Caller(kind: .contact, subject: "con_1", firmID: "firm_test")),
                "otherContact": try await token(Caller(kind: .contact, subject: "con_2", firmID: "firm_test")),
                "stranger": try await token(Caller(kind: .member, subject: "mem_x", firmID: "firm_other", role: .owner)),
                "service": try await TestConfiguration.serviceToken(),
                // mem_asg looking at the portal as con_1 sees it: reads, changes nothing.
                "portalView": try await token(Caller(kind: .contact, subject: "con_1", firmID: "firm_test", portalView: PortalView(
                    memberID: "mem_asg", accountID: "acct_1", role: .employee, rights: [], standing: 0))),
            ]
            let database = try await Database.open(
                url: storage.engine.postgresURL, schema: storage.schemaPrefix + ServiceName.pipeline.rawValue,
                sqlitePath: storage.directory.appendingPathComponent("pipeline.sqlite").path, logger: Logger(label: "item-tests"))
            do {
                try await app.test(.router) { client in try await body(ItemWorld(client: client, database: database, tokens: tokens)) }
                try await database.close()
            } catch {
                try? await database.close()
                throw error
            }
        }
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as persona: String) async throws -> (status: Int, json: [String: Any]) {
        try await PipelineDefinitionTests.send(client, method, uri, body, as: tokens[persona])
    }

    /// A template made over HTTP by the owner; its id.
    func template(_ kind: String, _ content: [String: Any], name: String = UUID().uuidString) async throws -> String {
        let (status, json) = try await send(.post, "/v1/item-templates", ["kind": kind, "name": name, kind: content], as: "owner")
        #expect(status == 201, "\(json)")
        return try #require(json["id"] as? String)
    }

    var store: ItemStore { ItemStore(forUpdate: database.forUpdate) }

    /// The item of `template` for job `job` in entry `entry` of `account`, made as the runner makes it.
    @discardableResult
    func make(_ template: String, job: String = "job_1", entry: String = "ent_1", account: String = "acct_1", firm: String = "firm_test",
              key: String = UUID().uuidString, assignees: [String] = [], reminders: ReminderPlan? = nil) async throws -> CreatedItem {
        let store = self.store
        let ref = JobRef(jobID: job, entryID: entry, firmID: firm, accountID: account)
        try await ensureJob(job, entry: entry, account: account, firm: firm)
        return try await Outbox(database: database, signal: OutboxSignal()).transaction { tx in
            try await store.create(template: template, job: ref, key: key, assignees: assignees, reminders: reminders, on: tx)
        }
    }

    /// A job row for items to belong to (the runner makes items for jobs that exist).
    func ensureJob(_ id: String, entry: String, account: String, firm: String) async throws {
        try await database.sql.raw("""
            INSERT INTO pipeline_jobs (id, firm_id, account_id, pipeline_id, stage_id, entry_id, name, assignees, priority, status, entered_at,
                created_by, created_at, updated_at)
            VALUES (\(bind: id), \(bind: firm), \(bind: account), 'pl_test', 'stg_test', \(bind: entry), 'Job', '[]', 'normal', 'active', 0,
                'mem_test', 0, 0)
            ON CONFLICT (id) DO NOTHING
            """).run()
    }

    /// The types of the events published so far, oldest first.
    func events() async throws -> [String] {
        try await database.sql.raw("SELECT type FROM outbox_events ORDER BY created_at, id").all().map { try $0.decode(column: "type", as: String.self) }
    }

    static var invoice: [String: Any] { ["currency": "EUR", "lineItems": [
        ["description": "Tax return", "quantity": 1, "unitAmountMinor": 50_000], ["description": "Schedules", "quantity": 2, "unitAmountMinor": 2_500],
    ], "note": "Thank you"] }
    static var organizer: [String: Any] { ["title": "2026 tax organizer", "questions": [
        ["id": "income", "prompt": "Total income", "type": "number", "required": true],
        ["id": "married", "prompt": "Married?", "type": "yes_no", "required": true],
        ["id": "moved", "prompt": "Moving date", "type": "date"],
        ["id": "filing", "prompt": "Filing status", "type": "choice", "options": ["single", "joint"]],
        ["id": "notes", "prompt": "Anything else", "type": "long_text"],
    ]] }
    static var proposal: [String: Any] { ["title": "Engagement 2026", "body": "We will prepare your return.", "fee": ["amountMinor": 90_000, "currency": "EUR"]] }
}

/// Invoices, organizers and proposals (SPEC "Pipelines"): made from a template for a job, seen by
/// the team who may see the account and by that account's contacts only, and completed by the
/// right people in the right states.
@Suite("PipelineService: client items")
struct PipelineItemTests {
    static func detail(_ json: [String: Any]) -> String { json["detail"] as? String ?? "" }

    @Test("an invoice: who sees it, payments up to its total, then paid once; the template's later edits do not reach it", arguments: TestEngine.all)
    func invoice(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let template = try await w.template("invoice", ItemWorld.invoice)
            let id = try await w.make(template).id
            try #require(id.hasPrefix("itm_"))
            let (status, item) = try await w.send(.get, "/v1/items/\(id)", as: "owner")
            #expect(status == 200 && item["status"] as? String == "sent" && item["kind"] as? String == "invoice", "\(item)")
            let invoice = try #require(item["invoice"] as? [String: Any])
            #expect(invoice["totalMinor"] as? Int == 55_000 && invoice["paidMinor"] as? Int == 0 && invoice["currency"] as? String == "EUR")
            #expect(item["jobId"] as? String == "job_1" && item["entryId"] as? String == "ent_1" && item["templateId"] as? String == template)

            // Who sees it: the team who may see acct_1, its contact (without the firm's workings), services.
            for persona in ["admin", "assigned", "service"] { #expect(try await w.send(.get, "/v1/items/\(id)", as: persona).status == 200, "\(persona)") }
            let (seen, asContact) = try await w.send(.get, "/v1/items/\(id)", as: "contact")
            #expect(seen == 200 && asContact["jobId"] == nil && asContact["templateId"] == nil)
            for persona in ["unassigned", "otherContact", "stranger"] { #expect(try await w.send(.get, "/v1/items/\(id)", as: persona).status == 404, "\(persona)") }
            #expect(try await w.send(.get, "/v1/items/itm_missing", as: "owner").status == 404)

            // Editing the template later changes nothing sent.
            #expect(try await w.send(.patch, "/v1/item-templates/\(template)", ["invoice": ["currency": "USD", "lineItems": [
                ["description": "Other", "quantity": 1, "unitAmountMinor": 1]]]], as: "owner").status == 200)
            #expect((try await w.send(.get, "/v1/items/\(id)", as: "owner").json["invoice"] as? [String: Any])?["totalMinor"] as? Int == 55_000)

            // Payments: team members who may see the account; refusals named.
            let pay = "/v1/items/\(id)/payments"
            #expect(try await w.send(.post, pay, ["amountMinor": 100, "method": "cash"], as: "contact").status == 403)
            #expect(try await w.send(.post, pay, ["amountMinor": 100, "method": "cash"], as: "unassigned").status == 404)
            #expect(try await w.send(.post, pay, ["amountMinor": 100, "method": "cash"], as: "stranger").status == 404)
            let zero = try await w.send(.post, pay, ["amountMinor": 0, "method": "cash"], as: "owner")
            #expect(zero.status == 400 && Self.detail(zero.json).contains("amountMinor"), "\(zero.json)")
            let badMethod = try await w.send(.post, pay, ["amountMinor": 10, "method": "bitcoin"], as: "owner")
            #expect(badMethod.status == 400 && Self.detail(badMethod.json).contains("method"), "\(badMethod.json)")
            #expect(try await w.send(.post, pay, ["method": "cash"], as: "owner").status == 400)
            let (partial, afterPartial) = try await w.send(.post, pay, ["amountMinor": 5_000, "method": "bank_transfer", "note": "first half"], as: "assigned")
            #expect(partial == 201 && afterPartial["status"] as? String == "sent", "\(afterPartial)")
            #expect((afterPartial["invoice"] as? [String: Any])?["paidMinor"] as? Int == 5_000)
            #expect(try await w.events().isEmpty, "a partial payment completes nothing")
            let (full, paid) = try await w.send(.post, pay, ["amountMinor": 50_000, "method": "card"], as: "owner")
            #expect(full == 201 && paid["status"] as? String == "paid" && paid["completedAt"] != nil, "\(paid)")
            let payments = (paid["invoice"] as? [String: Any])?["payments"] as? [[String: Any]] ?? []
            #expect(payments.count == 2 && payments.first?["note"] as? String == "first half" && payments.first?["recordedBy"] as? String == "mem_asg")
            // The contact sees the payments but not the team's notes.
            let contactPayments = ((try await w.send(.get, "/v1/items/\(id)", as: "contact").json["invoice"] as? [String: Any])?["payments"] as? [[String: Any]]) ?? []
            #expect(contactPayments.count == 2 && contactPayments.allSatisfy { $0["note"] == nil && $0["recordedBy"] == nil })
            #expect(try await w.events() == [EventTypes.pipelineItemCompleted])

            // Paid is final: no more payments, no cancelling; answering or signing is not for invoices.
            #expect(try await w.send(.post, pay, ["amountMinor": 1, "method": "cash"], as: "owner").status == 409)
            #expect(try await w.send(.post, "/v1/items/\(id)/cancel", as: "owner").status == 409)
            #expect(try await w.send(.post, "/v1/items/\(id)/sign", ["typedName": "Ann"], as: "contact").status == 409)
            #expect(try await w.send(.post, "/v1/items/\(id)/submit", as: "contact").status == 409)
            #expect(try await w.events() == [EventTypes.pipelineItemCompleted])
        }
    }

    @Test("an organizer: answers checked per type, required ones needed to submit, frozen after; contacts of the account only", arguments: TestEngine.all)
    func organizer(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let id = try await w.make(try await w.template("organizer", ItemWorld.organizer)).id
            let answers = "/v1/items/\(id)/answers"
            func save(_ values: [[String: String]], as persona: String = "contact") async throws -> (status: Int, json: [String: Any]) {
                try await w.send(.put, answers, ["answers": values], as: persona)
            }
            // Who: the account's own contact; the team reads but does not answer; others do not know it.
            #expect(try await save([["questionId": "income", "value": "10"]], as: "owner").status == 403)
            #expect(try await save([["questionId": "income", "value": "10"]], as: "otherContact").status == 404)
            #expect(try await w.send(.post, "/v1/items/\(id)/submit", as: "otherContact").status == 404)
            #expect(try await w.send(.post, "/v1/items/\(id)/submit", as: "assigned").status == 403)
            // A team member viewing the portal as the contact reads the organizer and changes nothing.
            #expect(try await w.send(.get, "/v1/items/\(id)", as: "portalView").status == 200)
            #expect(try await w.send(.get, "/v1/accounts/acct_1/items", as: "portalView").status == 200)
            #expect(try await save([["questionId": "income", "value": "10"]], as: "portalView").status == 403)
            #expect(try await w.send(.post, "/v1/items/\(id)/submit", as: "portalView").status == 403)

            // Each value in its question's form, named when it is not.
            let refusals: [([String: String], String)] = [
                (["questionId": "nope", "value": "1"], "nope"), (["questionId": "income", "value": "ten"], "income"),
                (["questionId": "married", "value": "maybe"], "married"), (["questionId": "moved", "value": "2026-02-30"], "moved"),
                (["questionId": "filing", "value": "separate"], "filing"),
            ]
            for (answer, named) in refusals {
                let (status, json) = try await save([answer])
                #expect(status == 400 && Self.detail(json).contains(named), "\(answer): \(json)")
            }
            let twice = try await save([["questionId": "income", "value": "1"], ["questionId": "income", "value": "2"]])
            #expect(twice.status == 400 && Self.detail(twice.json).contains("twice"))
            #expect(try await w.send(.put, answers, ["answers": [["questionId": "income"]]], as: "contact").status == 400)

            // Saving is partial; submitting needs every required answer.
            let (saved, partial) = try await save([["questionId": "income", "value": "-12.50"], ["questionId": "filing", "value": "joint"]])
            #expect(saved == 200 && ((partial["organizer"] as? [String: Any])?["answers"] as? [Any])?.count == 2, "\(partial)")
            let early = try await w.send(.post, "/v1/items/\(id)/submit", as: "contact")
            #expect(early.status == 409 && Self.detail(early.json).contains("married") && !Self.detail(early.json).contains("income"), "\(early.json)")
            #expect(try await w.events().isEmpty)
            // A save replaces the answers before it; an empty value clears one.
            let (_, replaced) = try await save([["questionId": "income", "value": "52000"], ["questionId": "married", "value": "Yes"],
                                                ["questionId": "moved", "value": "2026-03-01"], ["questionId": "filing", "value": ""]])
            let kept = ((replaced["organizer"] as? [String: Any])?["answers"] as? [[String: Any]] ?? []).compactMap { $0["questionId"] as? String }
            #expect(kept == ["income", "married", "moved"])
            let (submitted, done) = try await w.send(.post, "/v1/items/\(id)/submit", as: "contact")
            #expect(submitted == 200 && done["status"] as? String == "submitted" && done["completedBy"] as? String == "con_1", "\(done)")
            #expect(try await w.events() == [EventTypes.pipelineItemCompleted])

            // Frozen: no more answers, no second submission.
            #expect(try await save([["questionId": "income", "value": "1"]]).status == 409)
            #expect(try await w.send(.post, "/v1/items/\(id)/submit", as: "contact").status == 409)
            #expect(try await w.send(.post, "/v1/items/\(id)/cancel", as: "owner").status == 409)
            #expect(try await w.events() == [EventTypes.pipelineItemCompleted])
        }
    }

    @Test("a proposal: signed once by the account's contact with a typed name; cancelled ones take nothing", arguments: TestEngine.all)
    func proposal(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let template = try await w.template("proposal", ItemWorld.proposal)
            let id = try await w.make(template).id
            let sign = "/v1/items/\(id)/sign"
            #expect(try await w.send(.post, sign, ["typedName": "Ann Client"], as: "owner").status == 403)
            #expect(try await w.send(.post, sign, ["typedName": "Ann Client"], as: "otherContact").status == 404)
            let blank = try await w.send(.post, sign, ["typedName": "  "], as: "contact")
            #expect(blank.status == 400 && Self.detail(blank.json).contains("typedName"), "\(blank.json)")
            #expect(try await w.send(.post, sign, [:], as: "contact").status == 400)
            #expect(try await w.send(.put, "/v1/items/\(id)/answers", ["answers": []], as: "contact").status == 409)
            let (signed, item) = try await w.send(.post, sign, ["typedName": " Ann Client "], as: "contact")
            let proposal = item["proposal"] as? [String: Any] ?? [:]
            #expect(signed == 200 && item["status"] as? String == "signed" && proposal["signedName"] as? String == "Ann Client", "\(item)")
            #expect(item["completedBy"] as? String == "con_1" && item["completedAt"] != nil && (proposal["fee"] as? [String: Any])?["amountMinor"] as? Int == 90_000)
            #expect(try await w.send(.post, sign, ["typedName": "Ann Client"], as: "contact").status == 409)
            #expect(try await w.send(.post, "/v1/items/\(id)/payments", ["amountMinor": 1, "method": "cash"], as: "owner").status == 409)

            // Cancelled by the team who may see the account; then nobody completes it.
            let other = try await w.make(template).id
            #expect(try await w.send(.post, "/v1/items/\(other)/cancel", as: "contact").status == 403)
            #expect(try await w.send(.post, "/v1/items/\(other)/cancel", as: "unassigned").status == 404)
            let (cancelled, gone) = try await w.send(.post, "/v1/items/\(other)/cancel", as: "assigned")
            #expect(cancelled == 200 && gone["status"] as? String == "cancelled" && gone["cancelledBy"] as? String == "mem_asg")
            #expect(try await w.send(.post, "/v1/items/\(other)/sign", ["typedName": "Ann"], as: "contact").status == 409)
            #expect(try await w.send(.post, "/v1/items/\(other)/cancel", as: "owner").status == 409)
            #expect(try await w.events() == [EventTypes.pipelineItemCompleted, EventTypes.pipelineItemCancelled])
        }
    }

    @Test("lists: a job's items for the team, an account's for its team and contacts, by kind and status, in pages", arguments: TestEngine.all)
    func lists(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let invoice = try await w.template("invoice", ItemWorld.invoice)
            let proposal = try await w.template("proposal", ItemWorld.proposal)
            let first = try await w.make(invoice).id
            let second = try await w.make(proposal).id
            try await w.make(proposal, job: "job_2", account: "acct_2")
            let ids = { (json: [String: Any]) in (json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }

            // Ids sort by time (two made in one millisecond in either order): compare sets, and pages against the whole.
            #expect(Set(ids(try await w.send(.get, "/v1/jobs/job_1/items", as: "assigned").json)) == [first, second])
            #expect(try await w.send(.get, "/v1/jobs/job_1/items", as: "contact").status == 403)
            #expect(try await w.send(.get, "/v1/jobs/job_1/items", as: "unassigned").status == 404)
            #expect(try await w.send(.get, "/v1/jobs/job_1/items", as: "stranger").status == 404)
            #expect(try await w.send(.get, "/v1/jobs/job_none/items", as: "owner").status == 404, "a job nothing is linked to is not known")

            let whole = ids(try await w.send(.get, "/v1/accounts/acct_1/items", as: "contact").json)
            #expect(Set(whole) == [first, second] && whole.count == 2)
            #expect(ids(try await w.send(.get, "/v1/accounts/acct_1/items?kind=invoice", as: "owner").json) == [first])
            #expect(ids(try await w.send(.get, "/v1/accounts/acct_1/items?status=paid", as: "owner").json).isEmpty)
            let (paged, page) = try await w.send(.get, "/v1/accounts/acct_1/items?limit=1", as: "assigned")
            #expect(paged == 200 && ids(page) == Array(whole.prefix(1)))
            let cursor = try #require(page["nextCursor"] as? String)
            #expect(ids(try await w.send(.get, "/v1/accounts/acct_1/items?limit=1&cursor=\(cursor)", as: "assigned").json) == Array(whole.suffix(1)))
            #expect(try await w.send(.get, "/v1/accounts/acct_1/items?limit=0", as: "owner").status == 400)
            #expect(try await w.send(.get, "/v1/accounts/acct_1/items?kind=task", as: "owner").status == 400)
            for persona in ["otherContact", "unassigned", "stranger"] {
                #expect(try await w.send(.get, "/v1/accounts/acct_1/items", as: persona).status == 404, "\(persona)")
            }
            #expect(try await w.send(.get, "/v1/accounts/acct_missing/items", as: "owner").status == 404)
            #expect(ids(try await w.send(.get, "/v1/accounts/acct_2/items", as: "otherContact").json).count == 1)
        }
    }

    @Test("reminders: durable jobs every N days while the item waits, at most M, ended by completion", arguments: TestEngine.all)
    func reminders(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let template = try await w.template("invoice", ItemWorld.invoice)
            await #expect(throws: PipelineError.invalid("reminders.everyDays must be 1 to 365.")) {
                try await w.make(template, reminders: ReminderPlan(everyDays: 0, maxCount: 2))
            }
            let id = try await w.make(template, reminders: ReminderPlan(everyDays: 3, maxCount: 2)).id
            struct Queued: Decodable { var payload: String; var runAt: Int64; var uniqueKey: String? }
            func queued() async throws -> [Queued] {
                try await w.database.sql.raw("SELECT payload, run_at, unique_key FROM jobs WHERE kind = 'pipeline.item.reminder' ORDER BY run_at")
                    .all(decoding: Queued.self, keyDecodingStrategy: .snakeCaseColumns)
            }
            let first = try await queued()
            #expect(first.count == 1 && first.first?.uniqueKey == "pipeline.item.reminder:\(id):1", "\(first)")
            let created = try #require(try await w.store.item(id, on: w.database.sql)).createdAt
            #expect(first.first?.runAt == created + 3 * 86_400_000)
            #expect((try await w.send(.get, "/v1/items/\(id)", as: "owner").json["reminders"] as? [String: Any])?["maxCount"] as? Int == 2)
            #expect(try await w.send(.get, "/v1/items/\(id)", as: "contact").json["reminders"] == nil)

            let job = ItemReminderJob(outbox: Outbox(database: w.database, signal: OutboxSignal()), store: w.store, clock: SystemJobClock())
            #expect(try await job.run(.init(itemId: id, number: 1)) == .succeeded())
            #expect(try await queued().count == 2, "the second is scheduled")
            if case .succeeded = try await job.run(.init(itemId: id, number: 1)) { Issue.record("a reminder runs once") }
            #expect(try await job.run(.init(itemId: id, number: 2)) == .succeeded())
            #expect(try await queued().count == 2, "two at most")
            #expect(try await w.events() == [EventTypes.pipelineItemReminderDue, EventTypes.pipelineItemReminderDue])

            // Done items are not chased.
            let paid = try await w.make(template, reminders: ReminderPlan(everyDays: 1, maxCount: 5)).id
            #expect(try await w.send(.post, "/v1/items/\(paid)/payments", ["amountMinor": 55_000, "method": "card"], as: "owner").status == 201)
            if case .succeeded = try await job.run(.init(itemId: paid, number: 1)) { Issue.record("a paid invoice gets no reminder") }
            #expect(try await w.events().filter { $0 == EventTypes.pipelineItemReminderDue }.count == 2)
        }
    }

    @Test("races: creates with one key make one item; payments at once complete the invoice once", arguments: TestEngine.all)
    func races(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let template = try await w.template("invoice", ItemWorld.invoice)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<6 { group.addTask { try await w.make(template, key: "job_1:ent_1:auto_race").id } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            let rows = try await w.database.sql.raw("SELECT COUNT(*) AS n FROM client_items").first()?.decode(column: "n", as: Int.self)
            #expect(rows == 1)

            let id = try #require(ids.first)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await w.send(.post, "/v1/items/\(id)/payments", ["amountMinor": 20_000, "method": "card"], as: "owner").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            // 20,000 × 3 reaches 55,000: the third is the completing one, the fourth finds it paid.
            #expect(statuses.sorted() == [201, 201, 201, 409], "\(statuses)")
            let invoice = try await w.send(.get, "/v1/items/\(id)", as: "owner").json["invoice"] as? [String: Any]
            #expect(invoice?["paidMinor"] as? Int == 60_000 && (invoice?["payments"] as? [Any])?.count == 3)
            #expect(try await w.events() == [EventTypes.pipelineItemCompleted])
        }
    }
}
