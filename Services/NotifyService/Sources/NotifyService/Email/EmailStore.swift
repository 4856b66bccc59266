import AtriumRuntime
import SQLKit

/// Storage of outgoing e-mail: one SQL code path for SQLite and PostgreSQL.
struct EmailStore: Sendable {
    /// Inserts the e-mail unless its cause already wrote to that address; true when inserted.
    func insert(_ email: EmailRecord, on db: any SQLDatabase) async throws -> Bool {
        let row = try await db.raw("""
            INSERT INTO emails (id, cause, firm_id, kind, recipient_id, to_address, to_name, subject, text_body, html_body,
                invitation_id, message_id, status, attempts, created_at)
            VALUES (\(bind: email.id), \(bind: email.cause), \(bind: email.firmId), \(bind: email.kind), \(bind: email.recipientId),
                \(bind: email.toAddress), \(bind: email.toName), \(bind: email.subject), \(bind: email.textBody), \(bind: email.htmlBody),
                \(bind: email.invitationId), \(bind: email.messageId), \(bind: email.status), 0, \(bind: email.createdAt))
            ON CONFLICT (cause, to_address) DO NOTHING RETURNING id
            """).first()
        return row != nil
    }

    /// The e-mails one cause made, in id order.
    func emails(cause: String, on db: any SQLDatabase) async throws -> [EmailRecord] {
        try await db.select().column("*").from("emails").where("cause", .equal, SQLBind(cause)).orderBy("id")
            .all(decoding: EmailRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func email(_ id: String, on db: any SQLDatabase) async throws -> EmailRecord? {
        try await db.row(EmailRecord.self, from: "emails", is: id)
    }

    /// Up to `limit` of a firm's e-mails older than `before`, newest first (every firm's for nil).
    func page(firm: String?, status: String?, before: String?, limit: Int, on db: any SQLDatabase) async throws -> [EmailRecord] {
        var query = db.select().column("*").from("emails")
        if let firm { query = query.where("firm_id", .equal, SQLBind(firm)) }
        if let status { query = query.where("status", .equal, SQLBind(status)) }
        if let before { query = query.where("id", .lessThan, SQLBind(before)) }
        return try await query.orderBy("id", .descending).limit(limit).all(decoding: EmailRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// Records the job that sends the e-mail.
    func setJob(_ email: String, job: String, on db: any SQLDatabase) async throws {
        try await db.update("emails").set("job_id", to: SQLBind(job)).where("id", .equal, SQLBind(email)).run()
    }

    /// Records an attempt's outcome: `status`, how many attempts so far, the error and when the next try is due.
    func record(
        _ email: String, status: EmailRecord.Status, attempts: Int64, error: String?, sentAt: Int64? = nil, on db: any SQLDatabase
    ) async throws {
        try await db.update("emails").set("status", to: SQLBind(status.rawValue)).set("attempts", to: SQLBind(attempts))
            .set("last_error", to: SQLBind(error)).set("sent_at", to: SQLBind(sentAt))
            .where("id", .equal, SQLBind(email)).where("status", .notEqual, SQLBind(EmailRecord.Status.sent.rawValue)).run()
    }

    /// The held e-mails, now to be queued (at most `limit`).
    func held(limit: Int, on db: any SQLDatabase) async throws -> [String] {
        try await db.select().column("id").from("emails").where("status", .equal, SQLBind(EmailRecord.Status.held.rawValue))
            .orderBy("id").limit(limit).all(decoding: IDRow.self).map(\.id)
    }

    /// Every attempt of the e-mail's sending job.
    func attempts(of email: EmailRecord, on db: any SQLDatabase) async throws -> [AttemptRow] {
        guard let job = email.jobId else { return [] }
        return try await db.select().columns("number", "started_at", "outcome", "error", "duration_ms").from("job_attempts")
            .where("job_id", .equal, SQLBind(job)).orderBy("number")
            .all(decoding: AttemptRow.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    struct AttemptRow: Decodable, Sendable {
        var number: Int64
        var startedAt: Int64
        var outcome: String
        var error: String?
        var durationMs: Int64?
    }

    private struct IDRow: Decodable {
        var id: String
    }
}
