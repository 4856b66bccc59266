import AtriumRuntime
import SQLKit

extension ThreadStore {
    func insert(_ message: MessageRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "messages").model(message, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    /// A page of the thread's messages newest first, those before `seq` when given; internal
    /// ones only when the viewer sees them.
    func messages(of threadID: String, viewer: Viewer, before seq: Int64?, limit: Int, on db: any SQLDatabase) async throws -> [MessageRecord] {
        let query = db.select().column("*").from("messages").where("thread_id", .equal, SQLBind(threadID))
        if !viewer.seesInternal { query.where("team_only", .equal, SQLBind(0)) }
        if let seq { query.where("seq", .lessThan, SQLBind(seq)) }
        return try await query.orderBy("seq", .descending).limit(limit)
            .all(decoding: MessageRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// The message `author` posted in the thread with request key `key`, if any.
    func message(thread threadID: String, author authorID: String, key: String, on db: any SQLDatabase) async throws -> MessageRecord? {
        try await db.select().column("*").from("messages").where("thread_id", .equal, SQLBind(threadID))
            .where("author_id", .equal, SQLBind(authorID)).where("request_key", .equal, SQLBind(key))
            .first(decoding: MessageRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// The thread `creator` started with request key `key`, if any.
    func thread(createdBy creator: String, key: String, on db: any SQLDatabase) async throws -> ThreadRecord? {
        try await db.select().column("*").from("threads").where("created_by", .equal, SQLBind(creator))
            .where("request_key", .equal, SQLBind(key)).first(decoding: ThreadRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// The messages with these ids, in no particular order.
    func messages(ids: [String], on db: any SQLDatabase) async throws -> [MessageRecord] {
        guard !ids.isEmpty else { return [] }
        return try await db.select().column("*").from("messages").where("id", .in, SQLBind.group(ids))
            .all(decoding: MessageRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }
}
