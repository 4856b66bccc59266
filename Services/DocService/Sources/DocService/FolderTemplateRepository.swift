import AtriumRuntime
import SQLKit

/// Storage of folder templates; every method runs on the connection it is given.
protocol FolderTemplateRepository: Sendable {
    func template(id: String, on db: any SQLDatabase) async throws -> FolderTemplateRecord?
    /// Up to `limit` of the firm's templates whose name key sorts after `afterKey`, in name-key order.
    func templates(firm: String, afterKey: String?, limit: Int, on db: any SQLDatabase) async throws -> [FolderTemplateRecord]
    /// Inserts the template; false when the firm already has one of that name (in any case).
    func insert(_ template: FolderTemplateRecord, on db: any SQLDatabase) async throws -> Bool
    /// Saves a rename or new structure; false when the new name is another template's.
    func update(_ template: FolderTemplateRecord, on db: any SQLDatabase) async throws -> Bool
    /// Deletes the firm's template; false when there was none.
    func delete(_ id: String, firm: String, on db: any SQLDatabase) async throws -> Bool
}

/// The one SQL implementation, for SQLite and PostgreSQL alike.
struct SQLFolderTemplateRepository: FolderTemplateRepository {
    func template(id: String, on db: any SQLDatabase) async throws -> FolderTemplateRecord? {
        try await db.row(FolderTemplateRecord.self, from: "folder_templates", is: id)
    }

    func templates(firm: String, afterKey: String?, limit: Int, on db: any SQLDatabase) async throws -> [FolderTemplateRecord] {
        var query = db.select().column("*").from("folder_templates").where("firm_id", .equal, SQLBind(firm))
        if let afterKey { query = query.where("name_key", .greaterThan, SQLBind(afterKey)) }
        return try await query.orderBy("name_key").limit(limit)
            .all(decoding: FolderTemplateRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func insert(_ template: FolderTemplateRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.insert(into: "folder_templates").model(template, keyEncodingStrategy: .convertToSnakeCase).run()
        }
    }

    func update(_ template: FolderTemplateRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.update("folder_templates")
                .set("name", to: SQLBind(template.name)).set("name_key", to: SQLBind(template.nameKey))
                .set("structure", to: SQLBind(template.structure)).set("folder_count", to: SQLBind(template.folderCount))
                .set("updated_at", to: SQLBind(template.updatedAt))
                .where("id", .equal, SQLBind(template.id)).where("firm_id", .equal, SQLBind(template.firmId)).run()
        }
    }

    func delete(_ id: String, firm: String, on db: any SQLDatabase) async throws -> Bool {
        let rows = try await db.raw("""
            DELETE FROM folder_templates WHERE id = \(bind: id) AND firm_id = \(bind: firm) RETURNING id
            """).all()
        return !rows.isEmpty
    }
}
