import AtriumRuntime
import Foundation
import SQLKit

/// `JobItems` over the client items and team tasks PipelineService keeps (`ItemStore`): what
/// blocks a stage entry, read for many entries at once, and the items the automations make.
struct StoredJobItems: JobItems {
    let store: ItemStore

    func blocking(entryIDs: [String], on db: any SQLDatabase) async throws -> [String: [PendingWork]] {
        guard !entryIDs.isEmpty else { return [:] }
        struct Row: Decodable {
            var entryId: String
            var id: String
            var kind: String
            var title: String
        }
        let items = try await db.select().column("entry_id").column("id").column("kind").column(SQLAlias(SQLColumn("name"), as: SQLIdentifier("title")))
            .from("client_items").where("entry_id", .in, SQLBind.group(entryIDs)).where("status", .equal, SQLBind("sent")).orderBy("id")
            .all(decoding: Row.self, keyDecodingStrategy: .snakeCaseColumns)
        let tasks = try await db.select().column("entry_id").column("id").column(SQLAlias(SQLLiteral.string("task"), as: SQLIdentifier("kind")))
            .column("title").from("team_tasks").where("entry_id", .in, SQLBind.group(entryIDs)).where("status", .equal, SQLBind("open"))
            .where("blocks_automove", .equal, SQLBind(1)).orderBy("id").all(decoding: Row.self, keyDecodingStrategy: .snakeCaseColumns)
        return Dictionary(grouping: items + tasks, by: \.entryId).mapValues { rows in
            rows.map { PendingWork(kind: PendingWork.Kind(rawValue: $0.kind) ?? .task, id: $0.id, title: $0.title) }
        }
    }

    func blockingTotal(jobID: String, entryID: String, on db: any SQLDatabase) async throws -> Int {
        let items = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("client_items")
            .where("entry_id", .equal, SQLBind(entryID)).where("status", .notEqual, SQLBind("cancelled")).first(decoding: CountRow.self)?.n ?? 0
        let tasks = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("team_tasks")
            .where("entry_id", .equal, SQLBind(entryID)).where("blocks_automove", .equal, SQLBind(1)).where("status", .notEqual, SQLBind("cancelled"))
            .first(decoding: CountRow.self)?.n ?? 0
        return items + tasks
    }

    func carry(jobID: String, from: String, to: String, on tx: OutboxTransaction) async throws {
        try await store.carry(jobID: jobID, fromEntry: from, toEntry: to, on: tx)
    }

    func cancelOpen(jobID: String, entryID: String, by actor: String, on tx: OutboxTransaction) async throws {
        try await store.cancelOpen(jobID: jobID, entryID: entryID, by: actor, on: tx)
    }

    func unlinkOpen(jobID: String, entryID: String, on tx: OutboxTransaction) async throws {
        try await store.unlinkOpen(jobID: jobID, entryID: entryID, on: tx)
    }

    func create(_ type: AutomationType, templateID: String, job: JobRecord, reminders: AutomationConfig.Reminders?, key: String,
                on tx: OutboxTransaction) async throws -> String {
        let kind: ItemKind = switch type {
        case .createInvoice: .invoice
        case .createOrganizer: .organizer
        case .sendProposal: .proposal
        default: .task
        }
        do {
            let made = try await store.create(
                template: templateID, kind: kind, job: JobRef(jobID: job.id, entryID: job.entryId, firmID: job.firmId, accountID: job.accountId),
                key: key, assignees: kind == .task ? job.assigneeIDs : [],
                reminders: kind == .task ? nil : reminders.map { ReminderPlan(everyDays: $0.everyDays, maxCount: $0.times) }, on: tx)
            return "Made \(made.kind.rawValue) \(made.id)."
        } catch let error as PipelineError {
            // A template gone or of another kind: retrying the same automation cannot help.
            throw DownstreamError.refused(error.problemDetail)
        }
    }
}
