import AtriumRuntime
import SQLKit

/// Storage of item templates: one SQL code path for SQLite and PostgreSQL.
struct ItemTemplateStore: Sendable {
    let forUpdate: String

    func find(_ id: String, lock: Bool = false, on db: any SQLDatabase) async throws -> ItemTemplateRecord? {
        try await db.row(ItemTemplateRecord.self, from: "item_templates", is: id, lock: lock ? forUpdate : "")
    }

    /// The firm's templates in name order, of one kind when `kind` is given.
    func list(firm: String, kind: ItemKind?, on db: any SQLDatabase) async throws -> [ItemTemplateRecord] {
        var query = db.select().column("*").from("item_templates").where("firm_id", .equal, SQLBind(firm))
        if let kind { query = query.where("kind", .equal, SQLBind(kind.rawValue)) }
        return try await query.orderBy("name_key").orderBy("kind").all(decoding: ItemTemplateRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// False when the firm has a template of that kind and name.
    func insert(_ record: ItemTemplateRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.insert(into: "item_templates").model(record, keyEncodingStrategy: .convertToSnakeCase).run()
        }
    }

    /// False when the new name is another template's of the same kind.
    func update(_ record: ItemTemplateRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.update("item_templates").set("name", to: SQLBind(record.name)).set("name_key", to: SQLBind(record.nameKey))
                .set("content", to: SQLBind(record.content)).set("updated_at", to: SQLBind(record.updatedAt))
                .where("id", .equal, SQLBind(record.id)).run()
        }
    }

    func delete(_ id: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "item_templates").where("id", .equal, SQLBind(id)).run()
    }
}
