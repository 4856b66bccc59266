import AtriumRuntime
import SQLKit

/// Storage of chat templates: one SQL code path for SQLite and PostgreSQL; each method runs on the
/// connection it is given.
struct ChatTemplateRepository: Sendable {
    /// `Database.forUpdate`: how `template(id:lock:on:)` keeps a row until the transaction ends.
    let forUpdate: String

    func template(id: String, lock: Bool = false, on db: any SQLDatabase) async throws -> ChatTemplateRecord? {
        try await db.row(ChatTemplateRecord.self, from: "chat_templates", is: id, lock: lock ? forUpdate : "")
    }

    /// Up to `limit` of the firm's templates whose name key sorts after `afterKey` and holds
    /// `search` (lower-cased), in name-key order.
    func templates(
        firm: String, search: String?, afterKey: String?, limit: Int, on db: any SQLDatabase
    ) async throws -> [ChatTemplateRecord] {
        var query = db.select().column("*").from("chat_templates").where("firm_id", .equal, SQLBind(firm))
        if let search, !search.isEmpty { query = query.where(Self.nameContains(search)) }
        if let afterKey { query = query.where("name_key", .greaterThan, SQLBind(afterKey)) }
        return try await query.orderBy("name_key").limit(limit)
            .all(decoding: ChatTemplateRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// Inserts the template; false when the firm already has one of that name (in any case).
    func insert(_ template: ChatTemplateRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.insert(into: "chat_templates")
                .model(template, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
        }
    }

    /// Saves every field but the id, firm and creation; false when the new name is another template's.
    func update(_ template: ChatTemplateRecord, on db: any SQLDatabase) async throws -> Bool {
        try await Database.unlessUniqueViolation {
            try await db.update("chat_templates")
                .set("name", to: SQLBind(template.name)).set("name_key", to: SQLBind(template.nameKey))
                .set("subject", to: SQLBind(template.subject)).set("body", to: SQLBind(template.body))
                .set("tasks", to: SQLBind(template.tasks))
                .set("reminder_days", to: SQLBind(template.reminderDays)).set("reminder_count", to: SQLBind(template.reminderCount))
                .set("updated_at", to: SQLBind(template.updatedAt))
                .where("id", .equal, SQLBind(template.id)).where("firm_id", .equal, SQLBind(template.firmId)).run()
        }
    }

    /// Deletes the firm's template; false when there was none.
    func delete(_ id: String, firm: String, on db: any SQLDatabase) async throws -> Bool {
        let rows = try await db.raw("""
            DELETE FROM chat_templates WHERE id = \(bind: id) AND firm_id = \(bind: firm) RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// `name_key LIKE <bound pattern>` for names holding `text`; its `%`, `_` and `\` match themselves.
    static func nameContains(_ text: String) -> SQLQueryString {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "%" || scalar == "_" || scalar == "\\" { escaped.append("\\") }
            escaped.append(scalar)
        }
        return "name_key LIKE \(bind: "%" + String(escaped) + "%") ESCAPE '\\'"
    }
}
