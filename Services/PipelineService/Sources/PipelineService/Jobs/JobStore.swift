import AtriumRuntime
import Foundation
import SQLKit

/// Storage of jobs, their stage entries and their thread links: one SQL code path for both engines.
struct JobStore: Sendable {
    /// `Database.forUpdate`: how `job(_:lock:on:)` keeps the row until the transaction ends.
    let forUpdate: String

    func job(_ id: String, lock: Bool = false, on db: any SQLDatabase) async throws -> JobRecord? {
        try await db.row(JobRecord.self, from: "pipeline_jobs", is: id, lock: lock ? forUpdate : "")
    }

    /// Inserts a new job; false (and nothing written) when a job with its `creationKey` exists.
    func insert(_ job: JobRecord, on db: any SQLDatabase) async throws -> Bool {
        let inserted = try await db.insert(into: "pipeline_jobs").model(job, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil)
            .ignoringConflicts(with: ["creation_key"]).returning("id").first()
        guard inserted != nil else { return false }
        try await saveAssignees(of: job, on: db)
        return true
    }

    /// The job a request with `key` created.
    func job(creationKey key: String, on db: any SQLDatabase) async throws -> JobRecord? {
        try await db.row(JobRecord.self, from: "pipeline_jobs", where: "creation_key", is: key)
    }

    /// Saves every column of `job` but its id, firm, account and creation.
    func save(_ job: JobRecord, on db: any SQLDatabase) async throws {
        try await db.update("pipeline_jobs")
            .set("pipeline_id", to: SQLBind(job.pipelineId)).set("stage_id", to: SQLBind(job.stageId)).set("entry_id", to: SQLBind(job.entryId))
            .set("name", to: SQLBind(job.name)).set("assignees", to: SQLBind(job.assignees)).set("priority", to: SQLBind(job.priority))
            .set("start_date", to: SQLBind(job.startDate)).set("due_date", to: SQLBind(job.dueDate)).set("status", to: SQLBind(job.status))
            .set("entered_at", to: SQLBind(job.enteredAt)).set("updated_at", to: SQLBind(job.updatedAt))
            .where("id", .equal, SQLBind(job.id)).run()
        try await db.delete(from: "job_assignees").where("job_id", .equal, SQLBind(job.id)).run()
        try await saveAssignees(of: job, on: db)
    }

    private func saveAssignees(of job: JobRecord, on db: any SQLDatabase) async throws {
        let ids = job.assigneeIDs
        guard !ids.isEmpty else { return }
        var insert = db.insert(into: "job_assignees").columns("job_id", "member_id", "pipeline_id", "stage_id", "status", "entered_at")
        for id in ids {
            insert = insert.values(SQLBind(job.id), SQLBind(id), SQLBind(job.pipelineId), SQLBind(job.stageId), SQLBind(job.status), SQLBind(job.enteredAt))
        }
        try await insert.run()
    }

    /// An account's jobs, newest first (at most 500).
    func jobs(account: String, status: String?, on db: any SQLDatabase) async throws -> [JobRecord] {
        var query = db.select().column("*").from("pipeline_jobs").where("account_id", .equal, SQLBind(account))
        if let status { query = query.where("status", .equal, SQLBind(status)) }
        return try await query.orderBy("created_at", .descending).orderBy("id", .descending).limit(500)
            .all(decoding: JobRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// How many jobs, of any status, sit in `stage` (or anywhere in `pipeline`).
    func count(pipeline: String, stage: String? = nil, on db: any SQLDatabase) async throws -> Int {
        var query = db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("pipeline_jobs").where("pipeline_id", .equal, SQLBind(pipeline))
        if let stage { query = query.where("stage_id", .equal, SQLBind(stage)) }
        return try await query.first(decoding: CountRow.self)?.n ?? 0
    }

    /// The ids of the jobs, of any status, in `stage`.
    func jobIDs(inStage stage: String, on db: any SQLDatabase) async throws -> [String] {
        try await db.select().column("id").from("pipeline_jobs").where("stage_id", .equal, SQLBind(stage)).all(decoding: IDRow.self).map(\.id)
    }

    // MARK: Stage entries

    func insert(_ entry: StageEntryRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "stage_entries").model(entry, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func entries(job: String, on db: any SQLDatabase) async throws -> [StageEntryRecord] {
        try await db.select().column("*").from("stage_entries").where("job_id", .equal, SQLBind(job)).orderBy("number")
            .all(decoding: StageEntryRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func entry(_ id: String, on db: any SQLDatabase) async throws -> StageEntryRecord? {
        try await db.row(StageEntryRecord.self, from: "stage_entries", is: id)
    }

    // MARK: Thread links

    /// Links `thread` to the job in `entry`; a thread linked already moves to `entry` (a reply
    /// with new tasks in a later stage makes it block that stage).
    func link(_ link: JobThreadRecord, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO job_threads (job_id, thread_id, entry_id, mover_kind, mover_id, linked_at)
            VALUES (\(bind: link.jobId), \(bind: link.threadId), \(bind: link.entryId), \(bind: link.moverKind), \(bind: link.moverId), \(bind: link.linkedAt))
            ON CONFLICT (job_id, thread_id) DO UPDATE SET entry_id = excluded.entry_id
            """).run()
    }

    /// Removes the link, and remembers when (see `unlinkedAt`).
    func unlink(job: String, thread: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.delete(from: "job_threads").where("job_id", .equal, SQLBind(job)).where("thread_id", .equal, SQLBind(thread)).run()
        try await db.raw("""
            INSERT INTO job_thread_unlinks (job_id, thread_id, unlinked_at) VALUES (\(bind: job), \(bind: thread), \(bind: millis))
            ON CONFLICT (job_id, thread_id) DO UPDATE SET unlinked_at = excluded.unlinked_at
            """).run()
    }

    /// When the thread's link to the job was last removed, if ever.
    func unlinkedAt(job: String, thread: String, on db: any SQLDatabase) async throws -> Int64? {
        try await db.select().column("unlinked_at").from("job_thread_unlinks").where("job_id", .equal, SQLBind(job))
            .where("thread_id", .equal, SQLBind(thread)).first(decoding: UnlinkedRow.self, keyDecodingStrategy: .snakeCaseColumns)?.unlinkedAt
    }

    private struct UnlinkedRow: Decodable { var unlinkedAt: Int64 }

    func threads(job: String, on db: any SQLDatabase) async throws -> [JobThreadRecord] {
        try await db.select().column("*").from("job_threads").where("job_id", .equal, SQLBind(job)).orderBy("linked_at")
            .all(decoding: JobThreadRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// The threads linked in `entry`.
    func threads(entry: String, on db: any SQLDatabase) async throws -> [JobThreadRecord] {
        try await db.select().column("*").from("job_threads").where("entry_id", .equal, SQLBind(entry))
            .all(decoding: JobThreadRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// The active jobs a thread blocks or may block: those whose current entry it is linked in.
    func jobIDs(blockedBy thread: String, on db: any SQLDatabase) async throws -> [String] {
        try await db.raw("""
            SELECT j.id FROM job_threads t JOIN pipeline_jobs j ON j.id = t.job_id AND j.entry_id = t.entry_id
            WHERE t.thread_id = \(bind: thread) AND j.status = 'active'
            """).all(decoding: IDRow.self).map(\.id)
    }

    /// Moves the threads linked in `from` to `to` (the "carry" choice).
    func carryThreads(from: String, to: String, on db: any SQLDatabase) async throws {
        try await db.update("job_threads").set("entry_id", to: SQLBind(to)).where("entry_id", .equal, SQLBind(from)).run()
    }
}

struct CountRow: Decodable {
    var n: Int
}

struct IDRow: Decodable {
    var id: String
}
