import ArgumentParser
import AtriumRuntime
import Foundation
import SQLKit

/// Accounts written straight into AccountService's database: activating a contact through an
/// invitation costs a bcrypt hash (~250 ms), so 10,000 of them would take ~40 minutes. Each account
/// gets one contact with portal access whose login is activated (`activated_at` set; no password,
/// which nothing in a bulk send reads) — what `POST /v1/accounts/lookup` reports as able to
/// receive messages.
enum BulkAccountSeed {
    static let rowsPerStatement = 500

    /// Seeds `count` accounts of `firm` in one transaction; answers their ids.
    static func seed(_ count: Int, firm: String, in database: Database) async throws -> [String] {
        let now = EpochMillis.now()
        let accounts = (0..<count).map { _ in Identifier.make("acct") }
        let contacts = (0..<count).map { _ in Identifier.make("con") }
        try await database.transaction { db in
            for start in stride(from: 0, to: count, by: rowsPerStatement) {
                let rows = start..<min(start + rowsPerStatement, count)
                let accountRows = db.insert(into: "accounts").columns("id", "firm_id", "name", "kind", "created_at", "search_key", "access_version")
                let contactRows = db.insert(into: "contacts").columns(
                    "id", "firm_id", "email", "first_name", "last_name", "password_hash", "activated_at", "failed_logins", "locked_until", "created_at")
                let links = db.insert(into: "account_contacts").columns("account_id", "contact_id", "portal_access", "notify", "created_at")
                for index in rows {
                    let name = "Bulk Client \(index) Ltd"
                    accountRows.values(SQLBind(accounts[index]), SQLBind(firm), SQLBind(name), SQLBind("company"), SQLBind(now),
                                       SQLBind(name.lowercased()), SQLBind(0))
                    contactRows.values(SQLBind(contacts[index]), SQLBind(firm), SQLBind("client-\(index)@bulk-bench.example"), SQLBind("Client"),
                                       SQLBind("\(index)"), SQLLiteral.null, SQLBind(now), SQLBind(0), SQLLiteral.null, SQLBind(now))
                    links.values(SQLBind(accounts[index]), SQLBind(contacts[index]), SQLBind(1), SQLBind(1), SQLBind(now))
                }
                try await accountRows.run()
                try await contactRows.run()
                try await links.run()
            }
        }
        return accounts
    }
}

/// Threads written straight into chat's database (with chat-service stopped) for the reminder
/// scan: `threads` threads, each with one public message from the owner and one recipient, of
/// which `due` (spread evenly through the table) have their first reminder due a minute ago.
/// Of the others, half have reminders on and due in a day or more, half have them off.
///
/// One transaction of three `INSERT … SELECT` statements over a generated series of numbers, so
/// the rows never cross the client: SQLite and PostgreSQL build them themselves.
struct ReminderSeed {
    let threads: Int
    let due: Int
    let firm: String
    let author: String
    let engine: DatabaseEngine
    /// The time the due threads are due before, and the prefix of every id made here.
    let now: Int64

    var stride: Int { threads / due }

    func run(on database: Database) async throws {
        // Both are ids the services made; they go into the statements as literals.
        guard Database.isPlainIdentifier(firm), Database.isPlainIdentifier(author) else { throw ValidationError("unexpected firm or member id: \(firm), \(author)") }
        let statements = [threadRows, messageRows, recipientRows]
        let sqlite = engine == .sqlite
        try await database.transaction { db in
            // Three indexes are written in account order, not id order: keep them in memory.
            if sqlite { try await db.raw("PRAGMA cache_size = -524288").run() }
            for statement in statements { try await db.raw("\(unsafeRaw: statement)").run() }
        }
    }

    /// `<prefix>_` and 28 hex digits, the shape `Identifier.make` gives: this run's time, then `number`.
    private func id(_ prefix: String, _ number: String) -> String {
        switch engine {
        case .sqlite: "printf('\(prefix)_%012x%016x', \(now), \(number))"
        case .postgres: "'\(prefix)_' || lpad(to_hex(\(now)::bigint), 12, '0') || lpad(to_hex((\(number))::bigint), 16, '0')"
        }
    }

    /// `INSERT INTO <table> (<columns>) SELECT <values> FROM` the numbers 0..<threads as `i`.
    private func insert(_ table: String, _ columns: [(String, String)]) -> String {
        let source = switch engine {
        case .sqlite: "(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(threads - 1)) SELECT i FROM n) AS n"
        case .postgres: "generate_series(0, \(threads - 1)) AS n(i)"
        }
        return "INSERT INTO \(table) (\(columns.map(\.0).joined(separator: ", "))) SELECT \(columns.map(\.1).joined(separator: ", ")) FROM \(source)"
    }

    private var isDue: String { "(i % \(stride) = 0 AND i / \(stride) < \(due))" }
    private var isLater: String { "(NOT \(isDue) AND i % 2 = 1)" }
    private var created: String { "\(now - 10 * 86_400_000) + i" }

    private var threadRows: String {
        insert("threads", [
            ("id", id("thr", "i")), ("firm_id", "'\(firm)'"), ("account_id", id("acct", "i % 1000")), ("subject", "'Year end ' || i"),
            ("status", "'active'"), ("created_by", "'\(author)'"), ("created_by_kind", "'member'"), ("created_at", created),
            ("last_activity_at", created), ("last_public_at", created), ("last_message_id", id("msg", "i")),
            ("last_public_message_id", id("msg", "i")), ("message_count", "1"), ("public_count", "1"), ("tasks_total", "0"),
            ("tasks_done", "0"), ("task_version", "0"), ("reminder_days", "CASE WHEN \(isDue) OR \(isLater) THEN 3 END"),
            ("reminder_count", "CASE WHEN \(isDue) OR \(isLater) THEN 1 END"), ("reminders_sent", "0"),
            ("next_reminder_at", "CASE WHEN \(isDue) THEN \(now - 60_000) - i WHEN \(isLater) THEN \(now + 86_400_000) + i END"),
        ])
    }

    private var messageRows: String {
        insert("messages", [
            ("id", id("msg", "i")), ("thread_id", id("thr", "i")), ("seq", "1"), ("kind", "'message'"), ("author_id", "'\(author)'"),
            ("author_kind", "'member'"), ("team_only", "0"), ("text", "'Could you upload **the bank statements**?'"),
            ("html", "'<p>Could you upload <strong>the bank statements</strong>?</p>'"), ("plain", "'Could you upload the bank statements?'"),
            ("mentions", "'[]'"), ("embeds", "'[]'"), ("created_at", created),
        ])
    }

    private var recipientRows: String {
        insert("thread_recipients", [("thread_id", id("thr", "i")), ("contact_id", id("con", "i % 1000"))])
    }
}
