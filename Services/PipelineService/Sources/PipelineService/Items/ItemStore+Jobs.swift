import AtriumRuntime
import Foundation
import SQLKit

/// What automove and the job moves ask of a job's items (the automation runner's side of the store).
extension ItemStore {
    /// The unfinished items that hold `jobID` in stage entry `entryID`: client items neither
    /// paid, submitted, signed nor cancelled, and open team tasks whose template said `blocksAutomove`.
    func blocking(jobID: String, entryID: String, on db: any SQLDatabase) async throws -> [BlockingItem] {
        let items = try await db.raw("""
            SELECT id, kind, status FROM client_items
            WHERE job_id = \(bind: jobID) AND entry_id = \(bind: entryID) AND status = 'sent' ORDER BY id
            """).all(decoding: KindRow.self)
        let tasks = try await db.raw("""
            SELECT id, status FROM team_tasks
            WHERE job_id = \(bind: jobID) AND entry_id = \(bind: entryID) AND status = 'open' AND blocks_automove = 1 ORDER BY id
            """).all(decoding: TaskRow.self)
        return items.map { BlockingItem(id: $0.id, kind: ItemKind(rawValue: $0.kind) ?? .invoice, status: $0.status) }
            + tasks.map { BlockingItem(id: $0.id, kind: .task, status: $0.status) }
    }

    /// For board cards: per job, the unfinished items still linked to a stage entry (client items
    /// `sent`, team tasks `open`, blocking or not). Jobs without any are absent.
    func pendingCounts(jobIDs: [String], on db: any SQLDatabase) async throws -> [String: PendingCounts] {
        guard !jobIDs.isEmpty else { return [:] }
        var counts: [String: PendingCounts] = [:]
        let items = try await db.select().column("job_id").column("kind").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("client_items").where("job_id", .in, SQLBind.group(jobIDs)).where("status", .equal, SQLBind("sent"))
            .where("entry_id", .isNot, SQLLiteral.null).groupBy("job_id").groupBy("kind").all(decoding: KindCountRow.self)
        for row in items {
            switch ItemKind(rawValue: row.kind ?? "") {
            case .invoice: counts[row.jobId, default: .init()].invoices += Int(row.n)
            case .organizer: counts[row.jobId, default: .init()].organizers += Int(row.n)
            case .proposal: counts[row.jobId, default: .init()].proposals += Int(row.n)
            case .task, nil: break
            }
        }
        let tasks = try await db.select().column("job_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("team_tasks").where("job_id", .in, SQLBind.group(jobIDs)).where("status", .equal, SQLBind("open"))
            .where("entry_id", .isNot, SQLLiteral.null).groupBy("job_id").all(decoding: KindCountRow.self)
        for row in tasks { counts[row.jobId, default: .init()].tasks += Int(row.n) }
        return counts
    }

    /// Moving a job by hand, "keep them": the unfinished items of `fromEntry` move to `toEntry`
    /// (and so block there). Returns how many moved.
    @discardableResult
    func carry(jobID: String, fromEntry: String, toEntry: String, on tx: OutboxTransaction) async throws -> Int {
        let now = EpochMillis.now()
        let items = try await tx.sql.raw("""
            UPDATE client_items SET entry_id = \(bind: toEntry), updated_at = \(bind: now)
            WHERE job_id = \(bind: jobID) AND entry_id = \(bind: fromEntry) AND status = 'sent' RETURNING id
            """).all()
        let tasks = try await tx.sql.raw("""
            UPDATE team_tasks SET entry_id = \(bind: toEntry), updated_at = \(bind: now)
            WHERE job_id = \(bind: jobID) AND entry_id = \(bind: fromEntry) AND status = 'open' RETURNING id
            """).all()
        return items.count + tasks.count
    }

    /// Moving a job by hand, "cancel them": the unfinished client items of `entryID` become
    /// `cancelled` (each announced as `pipeline.item.cancelled`) and its open team tasks `cancelled`.
    /// `actor` is who moved the job. Returns how many were cancelled.
    @discardableResult
    func cancelOpen(jobID: String, entryID: String, by actor: String, on tx: OutboxTransaction) async throws -> Int {
        let open = try await tx.sql.raw("""
            SELECT * FROM client_items WHERE job_id = \(bind: jobID) AND entry_id = \(bind: entryID) AND status = 'sent' ORDER BY id \(unsafeRaw: forUpdate)
            """).all(decoding: ClientItemRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        let lifecycle = ItemLifecycle(store: self)
        for item in open { _ = try await lifecycle.cancel(item, by: actor, on: tx) }
        let now = EpochMillis.now()
        let tasks = try await tx.sql.raw("""
            UPDATE team_tasks SET status = 'cancelled', updated_at = \(bind: now)
            WHERE job_id = \(bind: jobID) AND entry_id = \(bind: entryID) AND status = 'open' RETURNING id
            """).all()
        return open.count + tasks.count
    }

    /// Moving a job by hand, "unlink them": the unfinished items of `entryID` stay open for the
    /// client (and the team) but belong to no stage entry any more, so they block nothing.
    /// Returns how many were unlinked.
    @discardableResult
    func unlinkOpen(jobID: String, entryID: String, on tx: OutboxTransaction) async throws -> Int {
        let now = EpochMillis.now()
        let items = try await tx.sql.raw("""
            UPDATE client_items SET entry_id = NULL, updated_at = \(bind: now)
            WHERE job_id = \(bind: jobID) AND entry_id = \(bind: entryID) AND status = 'sent' RETURNING id
            """).all()
        let tasks = try await tx.sql.raw("""
            UPDATE team_tasks SET entry_id = NULL, updated_at = \(bind: now)
            WHERE job_id = \(bind: jobID) AND entry_id = \(bind: entryID) AND status = 'open' RETURNING id
            """).all()
        return items.count + tasks.count
    }
}

private struct KindRow: Decodable { var id: String; var kind: String; var status: String }
private struct TaskRow: Decodable { var id: String; var status: String }
private struct KindCountRow: Decodable {
    var jobId: String
    var kind: String?
    var n: Int64
    enum CodingKeys: String, CodingKey { case jobId = "job_id", kind, n }
}
