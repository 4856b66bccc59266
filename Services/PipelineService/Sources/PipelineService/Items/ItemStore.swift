import AtriumRuntime
import Foundation
import SQLKit

/// Storage of client items (invoices, organizers, proposals) and team tasks, and what the
/// automation runner and the job moves ask of them. One SQL code path for SQLite and PostgreSQL.
///
/// Methods that change items take the caller's `OutboxTransaction`, so a change, its events and
/// the automove check commit together.
struct ItemStore: Sendable {
    /// `Database.forUpdate`.
    let forUpdate: String
    let templates: ItemTemplateStore

    init(forUpdate: String) {
        self.forUpdate = forUpdate
        templates = ItemTemplateStore(forUpdate: forUpdate)
    }

    // MARK: The automation runner's calls

    /// Makes the item of template `templateID` for `job`, once per `key`: a second call with the
    /// same key returns the item the first made and makes nothing (the key is unique across items
    /// and tasks; derive it from the job, its stage entry and the automation).
    ///
    /// - Parameters:
    ///   - kind: when given, the kind the automation expects; a template of another kind is refused (409).
    ///   - assignees: team members a team task is assigned to (ignored for client items).
    ///   - reminders: remind the client of an unfinished client item (ignored for team tasks).
    /// - Throws: `PipelineError.itemTemplateNotFound` when the template is missing or another firm's;
    ///   `PipelineError.invalid` for reminders out of range.
    func create(template templateID: String, kind: ItemKind? = nil, job: JobRef, key: String, assignees: [String] = [],
                reminders: ReminderPlan? = nil, on tx: OutboxTransaction) async throws -> CreatedItem {
        let db = tx.sql
        if let made = try await made(key: key, on: db) { return made }
        try reminders?.check()
        guard let template = try await templates.find(templateID, on: db), template.firmId == job.firmID, let templateKind = template.itemKind else {
            throw PipelineError.itemTemplateNotFound(templateID)
        }
        if let kind, kind != templateKind {
            throw PipelineError.conflict("Template \(templateID) makes a \(templateKind.rawValue), not a \(kind.rawValue).")
        }
        let content = try ItemTemplateContent.decode(template.content)
        let now = EpochMillis.now()
        if templateKind == .task {
            let task = content.task ?? TaskContent(title: template.name, description: "", dueInDays: nil, blocksAutomove: false)
            let assigneeJSON = String(decoding: try JSONEncoder().encode(Array(Set(assignees)).sorted()), as: UTF8.self)
            let record = TeamTaskRecord(
                id: Identifier.make("ttk"), firmId: job.firmID, accountId: job.accountID, jobId: job.jobID, entryId: job.entryID,
                templateId: template.id, creationKey: key, status: TeamTaskStatus.open.rawValue, title: task.title, description: task.description,
                assigneeIds: assigneeJSON, dueAt: task.dueInDays.map { now + Int64($0) * 86_400_000 }, blocksAutomove: task.blocksAutomove ? 1 : 0,
                completedAt: nil, completedBy: nil, createdAt: now, updatedAt: now)
            _ = try await insertOnce(into: "team_tasks", record, on: db)
        } else {
            let invoice = content.invoice
            let record = ClientItemRecord(
                id: Identifier.make("itm"), firmId: job.firmID, accountId: job.accountID, jobId: job.jobID, entryId: job.entryID,
                templateId: template.id, creationKey: key, kind: templateKind.rawValue, status: ClientItemStatus.sent.rawValue, name: template.name,
                content: content.json, answers: nil, totalMinor: invoice?.total ?? 0, paidMinor: 0, currency: invoice?.currency ?? content.proposal?.fee?.currency,
                signedName: nil, completedAt: nil, completedBy: nil, cancelledAt: nil, cancelledBy: nil, createdAt: now, updatedAt: now,
                reminderEveryDays: reminders.map { Int64($0.everyDays) }, reminderMax: reminders.map { Int64($0.maxCount) }, remindersSent: 0)
            if try await insertOnce(into: "client_items", record, on: db), let reminders {
                try await ItemReminderJob.schedule(record.id, number: 1, every: reminders.everyDays, from: now, on: tx)
            }
        }
        // Whoever inserted first (this call or a racing one with the same key) made the item.
        guard let made = try await made(key: key, on: db) else { throw PipelineError.conflict("The item of key \(key) could not be made.") }
        return made
    }

    // MARK: Reading and saving

    func item(_ id: String, lock: Bool = false, on db: any SQLDatabase) async throws -> ClientItemRecord? {
        try await db.row(ClientItemRecord.self, from: "client_items", is: id, lock: lock ? forUpdate : "")
    }

    func task(_ id: String, lock: Bool = false, on db: any SQLDatabase) async throws -> TeamTaskRecord? {
        try await db.row(TeamTaskRecord.self, from: "team_tasks", is: id, lock: lock ? forUpdate : "")
    }

    /// A job's client items, oldest first.
    func items(job jobID: String, on db: any SQLDatabase) async throws -> [ClientItemRecord] {
        try await db.select().column("*").from("client_items").where("job_id", .equal, SQLBind(jobID)).orderBy("id")
            .all(decoding: ClientItemRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// A page of an account's client items, newest first, before `cursor`.
    func items(account accountID: String, kind: ItemKind?, status: ClientItemStatus?, before cursor: String?, limit: Int,
               on db: any SQLDatabase) async throws -> [ClientItemRecord] {
        var query = db.select().column("*").from("client_items").where("account_id", .equal, SQLBind(accountID))
        if let kind { query = query.where("kind", .equal, SQLBind(kind.rawValue)) }
        if let status { query = query.where("status", .equal, SQLBind(status.rawValue)) }
        if let cursor { query = query.where("id", .lessThan, SQLBind(cursor)) }
        return try await query.orderBy("id", .descending).limit(limit)
            .all(decoding: ClientItemRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// The firm and account of job `jobID` as its items and tasks say; nil when nothing is linked to it.
    func jobAccount(_ jobID: String, on db: any SQLDatabase) async throws -> (firmID: String, accountID: String)? {
        for table in ["client_items", "team_tasks"] {
            if let row = try await db.raw("SELECT firm_id, account_id FROM \(ident: table) WHERE job_id = \(bind: jobID) LIMIT 1").first() {
                return (try row.decode(column: "firm_id", as: String.self), try row.decode(column: "account_id", as: String.self))
            }
        }
        return nil
    }

    /// A job's team tasks, oldest first.
    func tasks(job jobID: String, on db: any SQLDatabase) async throws -> [TeamTaskRecord] {
        try await db.select().column("*").from("team_tasks").where("job_id", .equal, SQLBind(jobID)).orderBy("id")
            .all(decoding: TeamTaskRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// The payments of each of `itemIDs`, oldest first.
    func payments(of itemIDs: [String], on db: any SQLDatabase) async throws -> [String: [PaymentRecord]] {
        guard !itemIDs.isEmpty else { return [:] }
        let rows = try await db.select().column("*").from("item_payments").where("item_id", .in, SQLBind.group(itemIDs))
            .orderBy("recorded_at").orderBy("id").all(decoding: PaymentRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        return Dictionary(grouping: rows, by: \.itemId)
    }

    /// Records a payment; false when its `providerPaymentId` was recorded before.
    func insertPayment(_ payment: PaymentRecord, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            INSERT INTO item_payments (id, item_id, amount_minor, currency, method, note, source, provider_payment_id, recorded_by, recorded_at)
            VALUES (\(bind: payment.id), \(bind: payment.itemId), \(bind: payment.amountMinor), \(bind: payment.currency), \(bind: payment.method),
                \(bind: payment.note), \(bind: payment.source), \(bind: payment.providerPaymentId), \(bind: payment.recordedBy), \(bind: payment.recordedAt))
            ON CONFLICT DO NOTHING RETURNING id
            """).first() != nil
    }

    /// Saves what changes over an item's life.
    func save(_ item: ClientItemRecord, on db: any SQLDatabase) async throws {
        try await db.update("client_items").set("status", to: SQLBind(item.status)).set("answers", to: SQLBind(item.answers))
            .set("paid_minor", to: SQLBind(item.paidMinor)).set("signed_name", to: SQLBind(item.signedName))
            .set("completed_at", to: SQLBind(item.completedAt)).set("completed_by", to: SQLBind(item.completedBy))
            .set("cancelled_at", to: SQLBind(item.cancelledAt)).set("cancelled_by", to: SQLBind(item.cancelledBy))
            .set("reminders_sent", to: SQLBind(item.remindersSent)).set("updated_at", to: SQLBind(item.updatedAt)).where("id", .equal, SQLBind(item.id)).run()
    }

    /// Saves what changes over a task's life.
    func save(_ task: TeamTaskRecord, on db: any SQLDatabase) async throws {
        try await db.update("team_tasks").set("status", to: SQLBind(task.status)).set("completed_at", to: SQLBind(task.completedAt))
            .set("completed_by", to: SQLBind(task.completedBy)).set("updated_at", to: SQLBind(task.updatedAt))
            .where("id", .equal, SQLBind(task.id)).run()
    }

    // MARK: Helpers

    private func made(key: String, on db: any SQLDatabase) async throws -> CreatedItem? {
        if let item = try await db.row(ClientItemRecord.self, from: "client_items", where: "creation_key", is: key) { return .client(item) }
        if let task = try await db.row(TeamTaskRecord.self, from: "team_tasks", where: "creation_key", is: key) { return .task(task) }
        return nil
    }

    /// Inserts `record` unless a row with its creation key exists (a racing create won); true when inserted.
    private func insertOnce(into table: String, _ record: some Encodable & Sendable, on db: any SQLDatabase) async throws -> Bool {
        try await db.insert(into: table).model(record, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil)
            .ignoringConflicts(with: ["creation_key"]).returning("id").first() != nil
    }
}
