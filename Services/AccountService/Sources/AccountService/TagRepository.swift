import AtriumRuntime
import SQLKit

/// A tag of a firm's catalogue, as stored; `nameKey` is the lower-cased name that must be unique.
struct TagRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var name: String
    var nameKey: String
    var createdAt: Int64
}

/// Storage of tags and of which accounts carry them; methods run on the connection given.
protocol TagRepository: Sendable {
    func tags(firm: String, on db: any SQLDatabase) async throws -> [TagRecord]
    func tag(id: String, on db: any SQLDatabase) async throws -> TagRecord?
    func tag(firm: String, nameKey: String, on db: any SQLDatabase) async throws -> TagRecord?
    func insert(_ tag: TagRecord, on db: any SQLDatabase) async throws
    func rename(_ id: String, to name: String, key: String, on db: any SQLDatabase) async throws
    func delete(_ id: String, on db: any SQLDatabase) async throws
    /// The account's tags, by name; locks the account's row so concurrent changes queue.
    func tags(account: String, on db: any SQLDatabase) async throws -> [TagRecord]
    func accounts(tagged tag: String, on db: any SQLDatabase) async throws -> [String]
    func add(_ tags: [String], to account: String, on db: any SQLDatabase) async throws
    func remove(_ tags: [String], from account: String, on db: any SQLDatabase) async throws
    func lockAccount(_ id: String, on db: any SQLDatabase) async throws
}

/// The one SQL implementation, for SQLite and PostgreSQL alike.
struct SQLTagRepository: TagRepository {
    let forUpdate: String

    func tags(firm: String, on db: any SQLDatabase) async throws -> [TagRecord] {
        try await db.select().column("*").from("tags").where("firm_id", .equal, SQLBind(firm)).orderBy("name_key")
            .all(decoding: TagRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func tag(id: String, on db: any SQLDatabase) async throws -> TagRecord? {
        try await db.row(TagRecord.self, from: "tags", is: id)
    }

    func tag(firm: String, nameKey: String, on db: any SQLDatabase) async throws -> TagRecord? {
        try await db.select().column("*").from("tags").where("firm_id", .equal, SQLBind(firm))
            .where("name_key", .equal, SQLBind(nameKey))
            .first(decoding: TagRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func insert(_ tag: TagRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "tags").model(tag, keyEncodingStrategy: .convertToSnakeCase).run()
    }

    func rename(_ id: String, to name: String, key: String, on db: any SQLDatabase) async throws {
        try await db.update("tags").set("name", to: SQLBind(name)).set("name_key", to: SQLBind(key))
            .where("id", .equal, SQLBind(id)).run()
    }

    func delete(_ id: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "account_tags").where("tag_id", .equal, SQLBind(id)).run()
        try await db.delete(from: "tags").where("id", .equal, SQLBind(id)).run()
    }

    func tags(account: String, on db: any SQLDatabase) async throws -> [TagRecord] {
        try await db.raw("""
            SELECT t.* FROM tags t JOIN account_tags a ON a.tag_id = t.id
            WHERE a.account_id = \(bind: account) ORDER BY t.name_key
            """).all(decoding: TagRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func accounts(tagged tag: String, on db: any SQLDatabase) async throws -> [String] {
        try await db.select().column("account_id").from("account_tags").where("tag_id", .equal, SQLBind(tag))
            .orderBy("account_id").all(decodingColumn: "account_id", as: String.self)
    }

    func add(_ tags: [String], to account: String, on db: any SQLDatabase) async throws {
        for tag in tags {
            try await db.raw("""
                INSERT INTO account_tags (account_id, tag_id) VALUES (\(bind: account), \(bind: tag))
                ON CONFLICT (account_id, tag_id) DO NOTHING
                """).run()
        }
    }

    func remove(_ tags: [String], from account: String, on db: any SQLDatabase) async throws {
        guard !tags.isEmpty else { return }
        try await db.delete(from: "account_tags").where("account_id", .equal, SQLBind(account))
            .where("tag_id", .in, SQLBind.group(tags)).run()
    }

    func lockAccount(_ id: String, on db: any SQLDatabase) async throws {
        _ = try await db.raw("SELECT id FROM accounts WHERE id = \(bind: id) \(unsafeRaw: forUpdate)").first()
    }
}
