import AtriumRuntime
import SQLKit

/// Storage of folders; every method runs on the connection it is given.
protocol FolderRepository: Sendable {
    func folders(account: String, on db: any SQLDatabase) async throws -> [FolderRecord]
    /// The account's folders, locked until the transaction ends, so that moves and deletes of
    /// one tree queue behind each other (two crossing moves could otherwise make a loop).
    func lockTree(account: String, on db: any SQLDatabase) async throws -> [FolderRecord]
    func folder(id: String, on db: any SQLDatabase) async throws -> FolderRecord?
    /// Inserts the folder; false when a sibling already has its name.
    func insert(_ folder: FolderRecord, on db: any SQLDatabase) async throws -> Bool
    /// Saves a rename or move; false when a sibling already has the name.
    func update(_ folder: FolderRecord, on db: any SQLDatabase) async throws -> Bool
    func hasChildren(_ id: String, on db: any SQLDatabase) async throws -> Bool
    func delete(_ id: String, on db: any SQLDatabase) async throws
}

/// The one SQL implementation, for SQLite and PostgreSQL alike.
struct SQLFolderRepository: FolderRepository {
    let forUpdate: String

    func folders(account: String, on db: any SQLDatabase) async throws -> [FolderRecord] {
        try await db.select().column("*").from("folders").where("account_id", .equal, SQLBind(account))
            .all(decoding: FolderRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func lockTree(account: String, on db: any SQLDatabase) async throws -> [FolderRecord] {
        try await db.raw("SELECT * FROM folders WHERE account_id = \(bind: account) \(unsafeRaw: forUpdate)")
            .all(decoding: FolderRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func folder(id: String, on db: any SQLDatabase) async throws -> FolderRecord? {
        try await db.row(FolderRecord.self, from: "folders", is: id)
    }

    func insert(_ folder: FolderRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.insert(into: "folders").model(folder, keyEncodingStrategy: .convertToSnakeCase).run()
        }
    }

    func update(_ folder: FolderRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.update("folders")
                .set("parent_id", to: SQLBind(folder.parentId)).set("name", to: SQLBind(folder.name))
                .set("name_key", to: SQLBind(folder.nameKey)).set("updated_at", to: SQLBind(folder.updatedAt))
                .where("id", .equal, SQLBind(folder.id)).run()
        }
    }

    func hasChildren(_ id: String, on db: any SQLDatabase) async throws -> Bool {
        try await db.select().column("id").from("folders").where("parent_id", .equal, SQLBind(id)).limit(1).first() != nil
    }

    func delete(_ id: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "folders").where("id", .equal, SQLBind(id)).run()
    }
}
