import AtriumRuntime
import Foundation
import SQLKit

/// One pipeline's board: active jobs per stage in arrival order (then id), with the same filters
/// on pages and counts. Both read the `pipeline_jobs_board` index (pipeline, stage, status, entered_at, id).
struct BoardQuery: Sendable {
    var pipeline: String
    var assignee: String?
    var account: String?
    /// Only jobs due before this day (`YYYY-MM-DD`): the overdue filter.
    var dueBefore: String?
    /// The accounts a team member without firm-wide sight may see; nil for everyone's.
    var visibleAccounts: [String]?

    /// How many matching jobs each stage holds.
    func counts(on db: any SQLDatabase) async throws -> [String: Int] {
        if visibleAccounts?.isEmpty == true { return [:] }
        let query = db.select().column("stage_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("pipeline_jobs")
        filter(query)
        struct Row: Decodable {
            var stageId: String
            var n: Int
        }
        let rows = try await query.groupBy("stage_id").all(decoding: Row.self, keyDecodingStrategy: .snakeCaseColumns)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.stageId, $0.n) })
    }

    /// Up to `limit` matching jobs of `stage` after `cursor`.
    func page(stage: String, after cursor: BoardCursor?, limit: Int, on db: any SQLDatabase) async throws -> [JobRecord] {
        if visibleAccounts?.isEmpty == true { return [] }
        let query = db.select().column("*").from("pipeline_jobs").where("stage_id", .equal, SQLBind(stage))
        filter(query)
        if let cursor {
            query.where { group in
                group.where("entered_at", .greaterThan, SQLBind(cursor.enteredAt))
                    .orWhere { $0.where("entered_at", .equal, SQLBind(cursor.enteredAt)).where("id", .greaterThan, SQLBind(cursor.id)) }
            }
        }
        return try await query.orderBy("entered_at").orderBy("id").limit(limit)
            .all(decoding: JobRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    private func filter(_ query: SQLSelectBuilder) {
        query.where("pipeline_id", .equal, SQLBind(pipeline)).where("status", .equal, SQLBind("active"))
        if let assignee {
            query.where(SQLColumn("id"), .in, SQLSubquery.select {
                $0.column("job_id").from("job_assignees").where("member_id", .equal, SQLBind(assignee))
            })
        }
        if let account { query.where("account_id", .equal, SQLBind(account)) }
        if let dueBefore { query.where("due_date", .lessThan, SQLBind(dueBefore)) }
        if let visibleAccounts { query.where("account_id", .in, SQLBind.group(visibleAccounts)) }
    }

    /// The distinct accounts of the pipeline's active jobs (to find those a restricted member may see).
    static func accounts(pipeline: String, on db: any SQLDatabase) async throws -> [String] {
        struct Row: Decodable {
            var accountId: String
        }
        return try await db.select().distinct().column("account_id").from("pipeline_jobs").where("pipeline_id", .equal, SQLBind(pipeline))
            .where("status", .equal, SQLBind("active")).all(decoding: Row.self, keyDecodingStrategy: .snakeCaseColumns).map(\.accountId)
    }
}

/// Where a stage's page ends: the last job's arrival time and id.
struct BoardCursor: Sendable, Equatable {
    var enteredAt: Int64
    var id: String

    init(enteredAt: Int64, id: String) {
        self.enteredAt = enteredAt
        self.id = id
    }

    init(_ text: String) throws {
        let key = try TextCursor.key(text)
        guard let dot = key.firstIndex(of: "."), let millis = Int64(key[..<dot]), !key[key.index(after: dot)...].isEmpty else {
            throw PipelineError.invalid("cursor is not one this board gave.")
        }
        self.init(enteredAt: millis, id: String(key[key.index(after: dot)...]))
    }

    var text: String { TextCursor.make("\(enteredAt).\(id)") }
}
