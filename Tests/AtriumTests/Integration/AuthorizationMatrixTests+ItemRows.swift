import AtriumCluster
import AtriumRuntime
import Foundation
import Logging
import NIOHTTP1
@testable import PipelineService
import Testing

/// What the item rows need of a firm: templates and items made straight in PipelineService's
/// database the way the automation runner makes them (jobs do not exist yet to make them), and a
/// way to make a fresh one for rows that change an item's state once.
struct MatrixItems: Sendable {
    /// An invoice template of the firm.
    let itemTemplate: String
    /// The job every item below is linked to, of account A.
    let job: String
    /// A sent invoice of account A whose total no row's payments reach.
    let invoice: String
    /// A sent organizer of account A (no required questions).
    let organizer: String
    /// An open team task of the job (named by no row: it is there so the job's task list is not empty).
    let task: String
    /// A fresh item (or team task) of account A of the kind given, made on each call.
    let mint: @Sendable (ItemKind) async throws -> String

    /// The ids of this firm the item rows name (for the cross-firm checks).
    var ids: Set<String> { [itemTemplate, job, invoice, organizer] }

    /// Makes the templates and items of firm `firmID` in `cluster`'s PipelineService database.
    static func seed(_ cluster: Cluster, firmID: String, accountA: String, job jobID: String, entry: String) async throws -> MatrixItems {
        let topology = cluster.topology
        let open: @Sendable () async throws -> Database = {
            try await Database.open(url: topology.databaseURL, schema: topology.schemaPrefix + ServiceName.pipeline.rawValue,
                                    sqlitePath: topology.dataDirectory + "/pipeline.sqlite", logger: Logger(label: "matrix-items"))
        }
        let now = EpochMillis.now()
        let contents: [(ItemKind, ItemTemplateContent)] = [
            (.invoice, ItemTemplateContent(invoice: InvoiceContent(currency: "EUR", lineItems: [InvoiceLine(description: "Work", quantity: 1,
                                                                                                      unitAmountMinor: 1_000_000_000)]))),
            (.organizer, ItemTemplateContent(organizer: OrganizerContent(title: "Organizer", questions: [
                OrganizerQuestion(id: "q1", prompt: "Anything?", type: .text, required: false, options: nil)]))),
            (.proposal, ItemTemplateContent(proposal: ProposalContent(title: "Proposal", body: "Terms", fee: nil))),
            (.task, ItemTemplateContent(task: TaskContent(title: "Review", description: "", dueInDays: nil, blocksAutomove: true))),
        ]
        var templates: [ItemKind: String] = [:]
        let database = try await open()
        do {
            for (kind, content) in contents {
                let record = ItemTemplateRecord(id: Identifier.make("itpl"), firmId: firmID, kind: kind.rawValue, name: "Matrix \(kind.rawValue)",
                                                nameKey: "matrix \(kind.rawValue)", content: content.json, createdBy: "matrix", createdAt: now, updatedAt: now)
                _ = try await ItemTemplateStore(forUpdate: database.forUpdate).insert(record, on: database.sql)
                templates[kind] = record.id
            }
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
        let job = JobRef(jobID: jobID, entryID: entry, firmID: firmID, accountID: accountA)
        let known = templates
        let mint: @Sendable (ItemKind) async throws -> String = { kind in
            let database = try await open()
            do {
                let store = ItemStore(forUpdate: database.forUpdate)
                let made = try await Outbox(database: database, signal: OutboxSignal()).transaction { tx in
                    try await store.create(template: known[kind] ?? "", job: job, key: UUID().uuidString, on: tx)
                }
                try await database.close()
                return made.id
            } catch {
                try? await database.close()
                throw error
            }
        }
        return MatrixItems(itemTemplate: templates[.invoice] ?? "", job: job.jobID, invoice: try await mint(.invoice),
                           organizer: try await mint(.organizer), task: try await mint(.task), mint: mint)
    }
}

extension AuthorizationMatrixTests {
    /// Client items, team tasks and their templates (SPEC "Pipelines"): the team reads templates and
    /// owners and admins shape them; the team who may see account A reads its items, records payments,
    /// cancels and works its tasks; account A's contact reads, answers, submits and signs; nobody else
    /// learns they exist. Rows that change an item once make a fresh one per caller.
    static func itemRows(_ w: MatrixWorld, _ items: MatrixItems) -> [Row] {
        let members = { (status: Int) in expect(owner: status, assigned: status, unassigned: status, contact: 403, otherContact: 403) }
        let admins = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        let seeA = expect(owner: 200, assigned: 200, unassigned: 404, contact: 200, otherContact: 404)
        let teamOfA = { (status: Int) in expect(owner: status, assigned: status, unassigned: 404, contact: 403, otherContact: 403) }
        let contactOfA = expect(owner: 403, assigned: 403, unassigned: 403, contact: 200, otherContact: 404)
        let fresh = { (kind: ItemKind, action: String) -> @Sendable (Persona) async throws -> String in
            { _ in "/v1/\(kind == .task ? "tasks" : "items")/\(try await items.mint(kind))/\(action)" }
        }
        return [
            row(.pipeline, .GET, "/v1/item-templates?kind=invoice", members(200)),
            Row(service: .pipeline, method: .POST, path: MatrixWorld.at("/v1/item-templates"),
                body: { ["kind": "task", "name": unique($0), "task": ["title": "Check"]] }, expected: admins(201)),
            row(.pipeline, .GET, "/v1/item-templates/\(items.itemTemplate)", members(200)),
            row(.pipeline, .PATCH, "/v1/item-templates/\(items.itemTemplate)", ["name": "Matrix invoice"], admins(200)),
            row(.pipeline, .DELETE, "/v1/item-templates/itpl_missing", admins(404)),
            row(.pipeline, .GET, "/v1/items/\(items.invoice)", seeA),
            row(.pipeline, .GET, "/v1/jobs/\(items.job)/items", teamOfA(200)),
            row(.pipeline, .GET, "/v1/accounts/\(w.accountA)/items?limit=5", seeA),
            row(.pipeline, .PUT, "/v1/items/\(items.organizer)/answers", ["answers": [["questionId": "q1", "value": "Yes"]]], contactOfA),
            Row(service: .pipeline, method: .POST, path: fresh(.organizer, "submit"), body: { _ in nil }, expected: contactOfA),
            Row(service: .pipeline, method: .POST, path: fresh(.proposal, "sign"), body: { _ in ["typedName": "Ann Client"] }, expected: contactOfA),
            row(.pipeline, .POST, "/v1/items/\(items.invoice)/payments", ["amountMinor": 1, "method": "cash"], teamOfA(201)),
            Row(service: .pipeline, method: .POST, path: fresh(.invoice, "cancel"), body: { _ in nil }, expected: teamOfA(200)),
            row(.pipeline, .GET, "/v1/jobs/\(items.job)/tasks", teamOfA(200)),
            Row(service: .pipeline, method: .POST, path: fresh(.task, "complete"), body: { _ in nil }, expected: teamOfA(200)),
            // A fresh task is open: the team gets past access to the state check (409); nobody else gets that far.
            Row(service: .pipeline, method: .POST, path: fresh(.task, "reopen"), body: { _ in nil }, expected: teamOfA(409)),
            row(.pipeline, .POST, "/v1/inbound/payments", ["unsigned": true], all(400)),
        ]
    }
}
