import AtriumRuntime
import Foundation
import SQLKit

/// One pipeline's board: active jobs per stage in arrival order (then id), with the same filters
/// on pages and counts. Every query is a range of one index for one stage: `pipeline_jobs_board`
/// (pipeline, stage, status, entered_at, id), `pipeline_jobs_due` for the overdue count, and
/// `job_assignees_board` when filtered by assignee (assignee rows carry their job's place).
struct BoardQuery: Sendable {
    var pipeline: String
    var assignee: String?
    var account: String?
    /// Only jobs due before this day (`YYYY-MM-DD`): the overdue filter.
    var dueBefore: String?
    /// The accounts a team member without firm-wide sight may see; nil for everyone's.
    var visibleAccounts: [String]?

    /// How many matching jobs `stage` holds.
    func count(stage: String, on db: any SQLDatabase) async throws -> Int {
        if visibleAccounts?.isEmpty == true { return 0 }
        let query = SQLQueryString("SELECT COUNT(*) AS n ") + from(stage: stage, needsJobs: account != nil || dueBefore != nil || visibleAccounts != nil)
        return try await db.raw(query).first(decoding: CountRow.self)?.n ?? 0
    }

    /// Up to `limit` matching jobs of `stage` after `cursor`.
    func page(stage: String, after cursor: BoardCursor?, limit: Int, on db: any SQLDatabase) async throws -> [JobRecord] {
        if visibleAccounts?.isEmpty == true { return [] }
        let (entered, id) = assignee == nil ? ("j.entered_at", "j.id") : ("a.entered_at", "a.job_id")
        var query = SQLQueryString("SELECT j.* ") + from(stage: stage, needsJobs: true)
        if let cursor {
            query = query + SQLQueryString(
                " AND (\(unsafeRaw: entered) > \(bind: cursor.enteredAt) OR (\(unsafeRaw: entered) = \(bind: cursor.enteredAt) AND \(unsafeRaw: id) > \(bind: cursor.id)))")
        }
        query = query + SQLQueryString(" ORDER BY \(unsafeRaw: entered), \(unsafeRaw: id) LIMIT \(unsafeRaw: String(limit))")
        return try await db.raw(query).all(decoding: JobRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// `FROM … WHERE …` of the stage's matching active jobs, as `j` (and their assignee rows as `a`);
    /// an assignee's count without other filters reads the assignee rows alone.
    private func from(stage: String, needsJobs: Bool) -> SQLQueryString {
        var query: SQLQueryString
        if let assignee {
            query = SQLQueryString("""
                FROM job_assignees a \(unsafeRaw: needsJobs ? "JOIN pipeline_jobs j ON j.id = a.job_id" : "")
                WHERE a.member_id = \(bind: assignee) AND a.pipeline_id = \(bind: pipeline) AND a.stage_id = \(bind: stage) AND a.status = 'active'
                """)
        } else {
            query = SQLQueryString("FROM pipeline_jobs j WHERE j.pipeline_id = \(bind: pipeline) AND j.stage_id = \(bind: stage) AND j.status = 'active'")
        }
        if let account { query = query + SQLQueryString(" AND j.account_id = \(bind: account)") }
        if let dueBefore { query = query + SQLQueryString(" AND j.due_date < \(bind: dueBefore)") }
        if let visibleAccounts {
            query = query + SQLQueryString(" AND j.account_id IN (\(binds: visibleAccounts))")
        }
        return query
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
