import AtriumRuntime
import PipelineAPI
import SQLKit

/// A row of `automation_runs`: what one automation did for one stage entry of a job.
struct AutomationRunRecord: Codable, Sendable, Equatable {
    enum Status: String, Sendable {
        /// Done.
        case succeeded
        /// Its condition did not admit the account when it came to run.
        case skipped
        /// The last attempt failed and it will be tried again.
        case failing
        /// Refused for good, or out of attempts: the stage's later automations wait for a person.
        case failed
        /// The job left the stage before it ran.
        case abandoned
    }

    var entryId: String
    var automationId: String
    var jobId: String
    var stageId: String
    var position: Int64
    var type: String
    var templateId: String?
    var status: String
    var outcome: String?
    var error: String?
    var attempts: Int64
    var updatedAt: Int64

    var finished: Bool { status == Status.succeeded.rawValue || status == Status.skipped.rawValue }

    var wire: Components.Schemas.AutomationRun {
        .init(automationId: automationId, entryId: entryId, stageId: stageId, _type: .init(rawValue: type) ?? .sendEmail,
              templateId: templateId, status: .init(rawValue: status) ?? .failed, outcome: outcome, error: error,
              attempts: Int(attempts), updatedAt: EpochMillis.date(millis: updatedAt))
    }
}

/// Storage of the automation log.
struct AutomationRunStore: Sendable {
    func runs(entry: String, on db: any SQLDatabase) async throws -> [String: AutomationRunRecord] {
        let rows = try await db.select().column("*").from("automation_runs").where("entry_id", .equal, SQLBind(entry))
            .all(decoding: AutomationRunRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.automationId, $0) })
    }

    func runs(job: String, on db: any SQLDatabase) async throws -> [AutomationRunRecord] {
        try await db.select().column("*").from("automation_runs").where("job_id", .equal, SQLBind(job))
            .orderBy("updated_at").orderBy("position").all(decoding: AutomationRunRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// How many automations of the entry are failing or failed.
    func failing(entry: String, on db: any SQLDatabase) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("automation_runs")
            .where("entry_id", .equal, SQLBind(entry)).where("status", .in, SQLBind.group(["failing", "failed"]))
            .first(decoding: CountRow.self)?.n ?? 0
    }

    /// Writes `run`, replacing the entry's row for the same automation.
    func save(_ run: AutomationRunRecord, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO automation_runs (entry_id, automation_id, job_id, stage_id, position, type, template_id, status, outcome, error, attempts, updated_at)
            VALUES (\(bind: run.entryId), \(bind: run.automationId), \(bind: run.jobId), \(bind: run.stageId), \(bind: run.position),
                \(bind: run.type), \(bind: run.templateId), \(bind: run.status), \(bind: run.outcome), \(bind: run.error), \(bind: run.attempts),
                \(bind: run.updatedAt))
            ON CONFLICT (entry_id, automation_id) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,
                error = excluded.error, attempts = excluded.attempts, updated_at = excluded.updated_at, template_id = excluded.template_id
            """).run()
    }
}
