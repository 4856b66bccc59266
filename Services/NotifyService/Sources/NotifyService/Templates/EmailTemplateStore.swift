import AtriumRuntime
import SQLKit

/// Storage of e-mail templates: one SQL code path for SQLite and PostgreSQL.
struct EmailTemplateStore: Sendable {
    func template(_ id: String, on db: any SQLDatabase) async throws -> EmailTemplateRecord? {
        try await db.row(EmailTemplateRecord.self, from: "email_templates", is: id)
    }

    /// Up to `limit` of the firm's templates whose name key sorts after `afterKey`, in name order.
    func templates(firm: String, afterKey: String?, limit: Int, on db: any SQLDatabase) async throws -> [EmailTemplateRecord] {
        var query = db.select().column("*").from("email_templates").where("firm_id", .equal, SQLBind(firm))
        if let afterKey { query = query.where("name_key", .greaterThan, SQLBind(afterKey)) }
        return try await query.orderBy("name_key").limit(limit).all(decoding: EmailTemplateRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// Inserts the template; false when the firm has one of that name.
    func insert(_ template: EmailTemplateRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.insert(into: "email_templates").model(template, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
        }
    }

    /// Saves name, subject, body and the time; false when the new name is another template's.
    func update(_ template: EmailTemplateRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.update("email_templates").set("name", to: SQLBind(template.name)).set("name_key", to: SQLBind(template.nameKey))
                .set("subject", to: SQLBind(template.subject)).set("body", to: SQLBind(template.body))
                .set("updated_at", to: SQLBind(template.updatedAt)).where("id", .equal, SQLBind(template.id)).run()
        }
    }

    func delete(_ id: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "email_templates").where("id", .equal, SQLBind(id)).run()
    }
}
