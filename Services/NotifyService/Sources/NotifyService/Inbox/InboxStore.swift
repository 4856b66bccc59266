import AtriumRuntime
import SQLKit

/// Storage of Inbox+ items: one SQL code path for SQLite and PostgreSQL.
struct InboxStore: Sendable {
    /// Whose inbox, and (for a portal view, or a contact looking at one account) which account's part of it.
    struct Owner: Sendable {
        var recipientID: String
        var accountID: String?
    }

    /// Inserts the item unless its cause already told that person; true when inserted.
    func insert(_ item: InboxItemRecord, on db: any SQLDatabase) async throws -> Bool {
        let row = try await db.raw("""
            INSERT INTO inbox_items (id, cause, firm_id, recipient_id, recipient_kind, account_id, kind, title, summary,
                thread_id, message_id, actor_id, actor_kind, actor_name, tasks, link, created_at, read_at, seq)
            VALUES (\(bind: item.id), \(bind: item.cause), \(bind: item.firmId), \(bind: item.recipientId), \(bind: item.recipientKind),
                \(bind: item.accountId), \(bind: item.kind), \(bind: item.title), \(bind: item.summary), \(bind: item.threadId),
                \(bind: item.messageId), \(bind: item.actorId), \(bind: item.actorKind), \(bind: item.actorName), \(bind: item.tasks),
                \(bind: item.link), \(bind: item.createdAt), NULL, \(bind: item.seq))
            ON CONFLICT (cause, recipient_id) DO NOTHING RETURNING id
            """).first()
        return row != nil
    }

    /// Up to `limit` items older than `before`, newest first.
    func page(
        _ owner: Owner, unread: Bool, kind: String?, before: String?, limit: Int, on db: any SQLDatabase
    ) async throws -> [InboxItemRecord] {
        var query = scoped(db.select().column("*").from("inbox_items"), owner)
        if unread { query = query.where("read_at", .is, SQLLiteral.null) }
        if let kind { query = query.where("kind", .equal, SQLBind(kind)) }
        if let before { query = query.where("id", .lessThan, SQLBind(before)) }
        return try await query.orderBy("id", .descending).limit(limit)
            .all(decoding: InboxItemRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func item(_ id: String, _ owner: Owner, on db: any SQLDatabase) async throws -> InboxItemRecord? {
        try await scoped(db.select().column("*").from("inbox_items").where("id", .equal, SQLBind(id)), owner)
            .first(decoding: InboxItemRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// Unread items per kind.
    func unreadCounts(_ owner: Owner, on db: any SQLDatabase) async throws -> [String: Int] {
        let rows = try await scoped(db.select().column("kind").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("inbox_items").where("read_at", .is, SQLLiteral.null), owner)
            .groupBy("kind").all()
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(column: "kind", as: String.self)] = Int(try row.decode(column: "n", as: Int64.self)) }
        return counts
    }

    /// Marks one item read (at `millis`) or unread; false when it is not the owner's.
    func setRead(_ id: String, read: Bool, at millis: Int64, _ owner: Owner, on db: any SQLDatabase) async throws -> Bool {
        // Reading again keeps the first time it was read.
        let value: any SQLExpression = read ? SQLFunction("COALESCE", args: SQLIdentifier("read_at"), SQLBind(millis)) : SQLLiteral.null
        var query = db.update("inbox_items").set("read_at", to: value).where("id", .equal, SQLBind(id))
            .where("recipient_id", .equal, SQLBind(owner.recipientID))
        if let account = owner.accountID { query = query.where("account_id", .equal, SQLBind(account)) }
        return try await query.returning("id").all().count == 1
    }

    /// Marks every unread item up to `upTo` (of `kind`) read; how many.
    func markAllRead(_ owner: Owner, kind: String?, upTo: String?, at millis: Int64, on db: any SQLDatabase) async throws -> Int {
        var query = db.update("inbox_items").set("read_at", to: SQLBind(millis))
            .where("recipient_id", .equal, SQLBind(owner.recipientID)).where("read_at", .is, SQLLiteral.null)
        if let account = owner.accountID { query = query.where("account_id", .equal, SQLBind(account)) }
        if let kind { query = query.where("kind", .equal, SQLBind(kind)) }
        if let upTo { query = query.where("id", .lessThanOrEqual, SQLBind(upTo)) }
        return try await query.returning("id").all().count
    }

    private func scoped(_ query: SQLSelectBuilder, _ owner: Owner) -> SQLSelectBuilder {
        let mine = query.where("recipient_id", .equal, SQLBind(owner.recipientID))
        guard let account = owner.accountID else { return mine }
        return mine.where("account_id", .equal, SQLBind(account))
    }

    // MARK: - Streams

    /// Takes the next number of each recipient's stream, in id order (so that two transactions
    /// lock the counters in the same order and never wait on each other in a circle).
    func bump(_ recipients: Set<String>, on db: any SQLDatabase) async throws -> [String: Int64] {
        var numbers: [String: Int64] = [:]
        for recipient in recipients.sorted() {
            let row = try await db.raw("""
                INSERT INTO inbox_cursors (recipient_id, seq) VALUES (\(bind: recipient), 1)
                ON CONFLICT (recipient_id) DO UPDATE SET seq = inbox_cursors.seq + 1 RETURNING seq
                """).first()
            numbers[recipient] = try row?.decode(column: "seq", as: Int64.self)
        }
        if db.dialect.name == "postgresql" {
            // Delivered at commit to every replica's hub.
            try await db.raw("SELECT pg_notify(\(bind: InboxHub.channelPrefix) || current_schema(), '')").run()
        }
        return numbers
    }

    /// Where each recipient's stream is now (0 for one that never changed).
    func cursors(of recipients: [String], on db: any SQLDatabase) async throws -> [String: Int64] {
        guard !recipients.isEmpty else { return [:] }
        let rows = try await db.select().columns("recipient_id", "seq").from("inbox_cursors")
            .where("recipient_id", .in, SQLBind.group(recipients)).all()
        var cursors = Dictionary(uniqueKeysWithValues: recipients.map { ($0, Int64(0)) })
        for row in rows { cursors[try row.decode(column: "recipient_id", as: String.self)] = try row.decode(column: "seq", as: Int64.self) }
        return cursors
    }

    /// The owner's items numbered after `seq`, in stream order.
    func items(after seq: Int64, _ owner: Owner, limit: Int, on db: any SQLDatabase) async throws -> [InboxItemRecord] {
        try await scoped(db.select().column("*").from("inbox_items").where("seq", .greaterThan, SQLBind(seq)), owner)
            .orderBy("seq").limit(limit).all(decoding: InboxItemRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }
}
