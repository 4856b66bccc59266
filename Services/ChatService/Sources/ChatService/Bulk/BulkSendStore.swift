import AtriumRuntime
import SQLKit

/// Storage of bulk sends and their items.
struct BulkSendStore: Sendable {
    let forUpdate: String

    func insert(_ bulk: BulkSendRecord, accounts: [String], on db: any SQLDatabase) async throws {
        try await db.insert(into: "bulk_sends").model(bulk, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
        // In slices, well under SQLite's limit on bound values per statement.
        for start in stride(from: 0, to: accounts.count, by: 500) {
            let insert = db.insert(into: "bulk_send_items").columns("bulk_id", "position", "account_id", "status")
            for (offset, account) in accounts[start..<min(start + 500, accounts.count)].enumerated() {
                insert.values(SQLBind(bulk.id), SQLBind(Int64(start + offset)), SQLBind(account), SQLBind(BulkStatus.pending))
            }
            try await insert.run()
        }
    }

    func find(_ id: String, on db: any SQLDatabase) async throws -> BulkSendRecord? {
        try await db.row(BulkSendRecord.self, from: "bulk_sends", is: id)
    }

    /// The next `limit` items still pending, in the order given.
    func pending(_ bulkID: String, limit: Int, on db: any SQLDatabase) async throws -> [BulkSendItemRecord] {
        try await db.select().column("*").from("bulk_send_items").where("bulk_id", .equal, SQLBind(bulkID))
            .where("status", .equal, SQLBind(BulkStatus.pending)).orderBy("position").limit(limit)
            .all(decoding: BulkSendItemRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// A page of items after `position`, optionally of one status.
    func items(_ bulkID: String, status: String?, after position: Int64?, limit: Int, on db: any SQLDatabase) async throws -> [BulkSendItemRecord] {
        let query = db.select().column("*").from("bulk_send_items").where("bulk_id", .equal, SQLBind(bulkID))
        if let status { query.where("status", .equal, SQLBind(status)) }
        if let position { query.where("position", .greaterThan, SQLBind(position)) }
        return try await query.orderBy("position").limit(limit).all(decoding: BulkSendItemRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// Settles a pending item, locked in this transaction; false when it was settled already
    /// (a chunk run again after a crash).
    func settle(_ item: BulkSendItemRecord, on db: any SQLDatabase) async throws -> Bool {
        let current = try await db.raw("""
            SELECT status FROM bulk_send_items WHERE bulk_id = \(bind: item.bulkId) AND position = \(bind: item.position) \(unsafeRaw: forUpdate)
            """).first()?.decode(column: "status", as: String.self)
        guard current == BulkStatus.pending else { return false }
        try await db.update("bulk_send_items").set("status", to: SQLBind(item.status)).set("reason", to: SQLBind(item.reason))
            .set("detail", to: SQLBind(item.detail)).set("thread_id", to: SQLBind(item.threadId))
            .where("bulk_id", .equal, SQLBind(item.bulkId)).where("position", .equal, SQLBind(item.position)).run()
        let counter = item.status == BulkStatus.sent ? "sent" : "skipped"
        try await db.raw("UPDATE bulk_sends SET \(ident: counter) = \(ident: counter) + 1 WHERE id = \(bind: item.bulkId)").run()
        return true
    }

    func finish(_ bulkID: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.update("bulk_sends").set("status", to: SQLBind(BulkStatus.done)).set("finished_at", to: SQLBind(millis))
            .where("id", .equal, SQLBind(bulkID)).where("status", .equal, SQLBind(BulkStatus.running)).run()
    }
}
