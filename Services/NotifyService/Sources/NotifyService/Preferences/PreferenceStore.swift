import AtriumRuntime
import SQLKit

/// Team members' notification preferences: a row per member and kind they chose.
struct PreferenceStore: Sendable {
    /// The channels chosen by each of `members`, by member id then kind; kinds not chosen are absent.
    func chosen(by members: [String], on db: any SQLDatabase) async throws -> [String: [NoticeKind: Channel]] {
        guard !members.isEmpty else { return [:] }
        let rows = try await db.select().columns("member_id", "kind", "channel").from("notification_preferences")
            .where("member_id", .in, SQLBind.group(members)).all(decoding: Row.self, keyDecodingStrategy: .snakeCaseColumns)
        var chosen: [String: [NoticeKind: Channel]] = [:]
        for row in rows {
            guard let kind = NoticeKind(rawValue: row.kind), let channel = Channel(rawValue: row.channel) else { continue }
            chosen[row.memberId, default: [:]][kind] = channel
        }
        return chosen
    }

    /// Records `member`'s choices (each replacing the one before).
    func save(_ choices: [NoticeKind: Channel], for member: String, at millis: Int64, on db: any SQLDatabase) async throws {
        for (kind, channel) in choices.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try await db.raw("""
                INSERT INTO notification_preferences (member_id, kind, channel, updated_at)
                VALUES (\(bind: member), \(bind: kind.rawValue), \(bind: channel.rawValue), \(bind: millis))
                ON CONFLICT (member_id, kind) DO UPDATE SET channel = excluded.channel, updated_at = excluded.updated_at
                """).run()
        }
    }

    private struct Row: Decodable {
        var memberId: String
        var kind: String
        var channel: String
    }
}
