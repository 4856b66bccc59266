import AtriumRuntime
import SQLKit

/// Storage of threads and their client tasks. Every method runs on the connection it is given,
/// so callers compose them into one transaction with the outbox.
protocol ThreadRepository: Sendable {
    func insert(_ thread: ThreadRecord, tasks: [TaskRecord], on db: any SQLDatabase) async throws
    /// The thread, locked against concurrent task updates until the transaction ends.
    func lock(_ id: String, on db: any SQLDatabase) async throws -> ThreadRecord?
    func find(_ id: String, on db: any SQLDatabase) async throws -> ThreadRecord?
    func tasks(of threadID: String, on db: any SQLDatabase) async throws -> [TaskRecord]
    func setTask(_ taskID: String, done: Bool, by caller: String, at millis: Int64, on db: any SQLDatabase) async throws
}

/// The one SQL implementation, for SQLite and PostgreSQL alike.
struct SQLThreadRepository: ThreadRepository {
    let forUpdate: String

    func insert(_ thread: ThreadRecord, tasks: [TaskRecord], on db: any SQLDatabase) async throws {
        try await db.insert(into: "threads").model(thread, keyEncodingStrategy: .convertToSnakeCase).run()
        guard !tasks.isEmpty else { return }
        try await db.insert(into: "client_tasks").models(tasks, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func lock(_ id: String, on db: any SQLDatabase) async throws -> ThreadRecord? {
        try await db.row(ThreadRecord.self, from: "threads", is: id, lock: forUpdate)
    }

    func find(_ id: String, on db: any SQLDatabase) async throws -> ThreadRecord? {
        try await db.row(ThreadRecord.self, from: "threads", is: id)
    }

    func tasks(of threadID: String, on db: any SQLDatabase) async throws -> [TaskRecord] {
        try await db.select().column("*").from("client_tasks").where("thread_id", .equal, SQLBind(threadID))
            .orderBy("position").all(decoding: TaskRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func setTask(_ taskID: String, done: Bool, by caller: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.update("client_tasks")
            .set("done_at", to: SQLBind(done ? millis : nil))
            .set("done_by", to: SQLBind(done ? caller : nil))
            .where("id", .equal, SQLBind(taskID)).run()
    }
}
