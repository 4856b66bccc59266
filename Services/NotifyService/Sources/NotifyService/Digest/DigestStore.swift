import AtriumRuntime
import SQLKit

/// The daily digest's storage: who chose it, and what waits for it.
struct DigestStore: Sendable {
    struct Entry: Codable, Sendable, Equatable {
        var id: String
        var cause: String
        var firmId: String
        var memberId: String
        var email: String
        var name: String
        var kind: String
        var title: String
        var summary: String
        var link: String?
        var createdAt: Int64
    }

    /// Of `members`, those who chose the daily digest.
    func digesting(_ members: [String], on db: any SQLDatabase) async throws -> Set<String> {
        guard !members.isEmpty else { return [] }
        let rows = try await db.select().column("member_id").from("member_settings").where("member_id", .in, SQLBind.group(members))
            .where("digest", .equal, SQLBind(1)).all()
        return Set(try rows.map { try $0.decode(column: "member_id", as: String.self) })
    }

    func setDigest(_ on: Bool, for member: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO member_settings (member_id, digest, updated_at) VALUES (\(bind: member), \(bind: on ? 1 : 0), \(bind: millis))
            ON CONFLICT (member_id) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at
            """).run()
    }

    /// Keeps `entry` for the member's next digest (once per cause).
    func add(_ entry: Entry, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO digest_entries (id, cause, firm_id, member_id, email, name, kind, title, summary, link, created_at)
            VALUES (\(bind: entry.id), \(bind: entry.cause), \(bind: entry.firmId), \(bind: entry.memberId), \(bind: entry.email),
                    \(bind: entry.name), \(bind: entry.kind), \(bind: entry.title), \(bind: entry.summary), \(bind: entry.link),
                    \(bind: entry.createdAt))
            ON CONFLICT (cause, member_id) DO NOTHING
            """).run()
    }

    /// Members with entries waiting, at most `limit`, in id order after `after`.
    func waitingMembers(after: String?, limit: Int, on db: any SQLDatabase) async throws -> [String] {
        var query = db.select().distinct().column("member_id").from("digest_entries")
        if let after { query = query.where("member_id", .greaterThan, SQLBind(after)) }
        return try await query.orderBy("member_id").limit(limit).all().map { try $0.decode(column: "member_id", as: String.self) }
    }

    /// A member's waiting entries, oldest first, removed in the same transaction (`db`).
    func take(for member: String, on db: any SQLDatabase) async throws -> [Entry] {
        let entries = try await db.select().column("*").from("digest_entries").where("member_id", .equal, SQLBind(member)).orderBy("id")
            .all(decoding: Entry.self, keyDecodingStrategy: .snakeCaseColumns)
        try await db.delete(from: "digest_entries").where("member_id", .equal, SQLBind(member)).run()
        return entries
    }
}
