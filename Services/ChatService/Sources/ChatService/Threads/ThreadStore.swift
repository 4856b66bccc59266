import AtriumRuntime
import SQLKit

/// Storage of threads and everything in them. Every method runs on the connection it is given,
/// so callers compose them into one transaction with the outbox.
struct ThreadStore: Sendable {
    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite, whose writers are serialised anyway.
    let forUpdate: String

    func insert(_ thread: ThreadRecord, recipients: [String], on db: any SQLDatabase) async throws {
        try await db.insert(into: "threads").model(thread, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
        guard !recipients.isEmpty else { return }
        let insert = db.insert(into: "thread_recipients").columns("thread_id", "contact_id")
        for contact in recipients { insert.values(SQLBind(thread.id), SQLBind(contact)) }
        try await insert.run()
    }

    /// Writes every column of the thread back.
    func save(_ thread: ThreadRecord, on db: any SQLDatabase) async throws {
        try await db.update("threads").set(model: thread, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil)
            .where("id", .equal, SQLBind(thread.id)).run()
    }

    /// The thread, locked against concurrent changes until the transaction ends.
    func lock(_ id: String, on db: any SQLDatabase) async throws -> ThreadRecord? {
        try await db.row(ThreadRecord.self, from: "threads", is: id, lock: forUpdate)
    }

    func find(_ id: String, on db: any SQLDatabase) async throws -> ThreadRecord? {
        try await db.row(ThreadRecord.self, from: "threads", is: id)
    }

    func recipients(of threadID: String, on db: any SQLDatabase) async throws -> [String] {
        try await db.select().column("contact_id").from("thread_recipients").where("thread_id", .equal, SQLBind(threadID))
            .orderBy("contact_id").all().map { try $0.decode(column: "contact_id", as: String.self) }
    }

    // MARK: Tasks

    func tasks(of threadID: String, on db: any SQLDatabase) async throws -> [TaskRecord] {
        try await db.select().column("*").from("client_tasks").where("thread_id", .equal, SQLBind(threadID))
            .orderBy("position").all(decoding: TaskRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func insert(tasks: [TaskRecord], on db: any SQLDatabase) async throws {
        guard !tasks.isEmpty else { return }
        try await db.insert(into: "client_tasks").models(tasks, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func save(task: TaskRecord, on db: any SQLDatabase) async throws {
        try await db.update("client_tasks").set(model: task, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil)
            .where("id", .equal, SQLBind(task.id)).run()
    }

    func delete(task id: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "client_tasks").where("id", .equal, SQLBind(id)).run()
    }

    // MARK: Read state

    /// How many messages `readerID` had seen when they last read the thread: (all, public).
    func readCounts(thread threadID: String, reader readerID: String, on db: any SQLDatabase) async throws -> (Int64, Int64) {
        let row = try await db.select().columns("read_count", "read_public_count").from("read_states")
            .where("thread_id", .equal, SQLBind(threadID)).where("reader_id", .equal, SQLBind(readerID)).first()
        guard let row else { return (0, 0) }
        return (try row.decode(column: "read_count", as: Int64.self), try row.decode(column: "read_public_count", as: Int64.self))
    }

    /// Records that `readerID` has read everything in the thread as it stands.
    func markRead(_ thread: ThreadRecord, by readerID: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.insert(into: "read_states")
            .columns("thread_id", "reader_id", "read_count", "read_public_count", "read_at")
            .values(SQLBind(thread.id), SQLBind(readerID), SQLBind(thread.messageCount), SQLBind(thread.publicCount), SQLBind(millis))
            .onConflict(with: ["thread_id", "reader_id"]) { update in
                update.set(excludedValueOf: "read_count").set(excludedValueOf: "read_public_count").set(excludedValueOf: "read_at")
            }
            .run()
    }
}

extension ThreadStore {
    /// The reader's (all, public) read counts for each of these threads they have read.
    func readCounts(threads ids: [String], reader readerID: String, on db: any SQLDatabase) async throws -> [String: (Int64, Int64)] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.select().columns("thread_id", "read_count", "read_public_count").from("read_states")
            .where("reader_id", .equal, SQLBind(readerID)).where("thread_id", .in, SQLBind.group(ids)).all()
        var counts: [String: (Int64, Int64)] = [:]
        for row in rows {
            counts[try row.decode(column: "thread_id", as: String.self)] =
                (try row.decode(column: "read_count", as: Int64.self), try row.decode(column: "read_public_count", as: Int64.self))
        }
        return counts
    }
}
