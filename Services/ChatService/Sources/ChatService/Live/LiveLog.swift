import AtriumRuntime
import Foundation
import SQLKit

/// The `live_updates` table: one row per change watchers see, written in the change's own
/// transaction, read back in commit order by the hub and by streams that resume.
struct LiveLog: Sendable {
    let database: Database

    /// The PostgreSQL notification channel of the log (plus the schema): every replica's hub listens.
    static let channelPrefix = "atrium_live_"
    /// Rows read per query.
    static let pageSize = 500

    /// Records `update` in the transaction `db`. On PostgreSQL the row takes the transaction's id
    /// (the column's default) and the commit notifies every replica's hub.
    func append(_ update: LiveUpdate, on db: any SQLDatabase) async throws {
        let (kind, person) = update.audience.stored
        try await db.insert(into: "live_updates")
            .columns("thread_id", "firm_id", "account_id", "event", "audience", "person_id", "data", "created_at")
            .values(SQLBind(update.threadID), SQLBind(update.firmID), SQLBind(update.accountID), SQLBind(update.event),
                    SQLBind(kind), SQLBind(person), SQLBind(update.data), SQLBind(EpochMillis.now()))
            .run()
        if database.engine == .postgres {
            try await db.raw("SELECT pg_notify(\(bind: Self.channelPrefix) || current_schema(), '')").run()
        }
    }

    /// The rows after `position`, oldest first, up to the first one a transaction still running
    /// might yet commit before (PostgreSQL: a transaction id at or past the snapshot's xmin).
    ///
    /// `within` narrows the read to the stream's thread or firm (a stream catching up). The hub
    /// passes `afterWriters`: on SQLite the read then queues behind any transaction in progress,
    /// so a wake-up sent from inside one reads its rows once it has committed.
    func page(after position: LivePosition, within filter: LiveFilter? = nil, afterWriters: Bool = false) async throws -> LivePage {
        var narrowing: SQLQueryString = ""
        if let filter {
            if case .thread(let id) = filter.scope { narrowing = "AND thread_id = \(bind: id)" } else { narrowing = "AND firm_id = \(bind: filter.firmID)" }
        }
        let query: SQLQueryString = """
            SELECT seq, txid, thread_id, firm_id, account_id, event, audience, person_id, data, \(unsafeRaw: horizonSQL) AS horizon
            FROM live_updates WHERE (txid, seq) > (\(bind: position.txid), \(bind: position.seq)) \(narrowing)
            ORDER BY txid, seq LIMIT \(bind: Self.pageSize)
            """
        let records = try await read(afterWriters: afterWriters) { db in
            try await db.raw(query).all(decoding: LiveRecordAndHorizon.self, keyDecodingStrategy: .snakeCaseColumns)
        }
        let ready = records.prefix { $0.record.txid < $0.horizon }
        return LivePage(rows: ready.map(\.record.row), pending: ready.count < records.count, full: records.count == Self.pageSize)
    }

    /// Where the hub starts when the first stream opens: after the newest row no running
    /// transaction can precede (and, on SQLite, after any write in progress).
    func head() async throws -> LivePosition {
        let query: SQLQueryString = """
            SELECT txid, seq FROM live_updates WHERE txid < \(unsafeRaw: horizonSQL) ORDER BY txid DESC, seq DESC LIMIT 1
            """
        let row = try await read(afterWriters: true) { db in try await db.raw(query).first(decoding: LivePositionRecord.self) }
        return row.map { LivePosition(txid: $0.txid, seq: $0.seq) } ?? .start
    }

    /// Runs `body` outside any transaction, or on SQLite with `afterWriters` in one of its own,
    /// which waits for the transaction in progress to end.
    private func read<T: Sendable>(afterWriters: Bool, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard afterWriters, database.engine == .sqlite else { return try await body(database.sql) }
        return try await database.transaction(body)
    }

    /// The oldest transaction id still running (PostgreSQL); past every row on SQLite.
    private var horizonSQL: String {
        database.engine == .postgres ? "pg_snapshot_xmin(pg_current_snapshot())::text::bigint" : "9223372036854775807"
    }

    /// What has committed by now (see `LiveSnapshot`).
    func snapshot() async throws -> LiveSnapshot {
        guard database.engine == .postgres else {
            let row = try await database.sql.raw("SELECT COALESCE(MAX(seq), 0) AS seq FROM live_updates").first()
            return .sqlite(seq: try row?.decode(column: "seq", as: Int64.self) ?? 0)
        }
        let row = try await database.sql.raw("SELECT pg_current_snapshot()::text AS snapshot").first()
        guard let snapshot = LiveSnapshot(postgres: try row?.decode(column: "snapshot", as: String.self) ?? "") else {
            throw RuntimeError.unavailable("PostgreSQL answered a snapshot this service cannot read.")
        }
        return snapshot
    }

    /// Whether the row at `position` is still kept (a resuming stream's last event).
    func contains(_ position: LivePosition) async throws -> Bool {
        try await database.sql.raw("""
            SELECT txid, seq FROM live_updates WHERE txid = \(bind: position.txid) AND seq = \(bind: position.seq)
            """).first() != nil
    }

    /// Deletes every row up to the newest one written before `millis`, so that what is kept is
    /// always a tail of the log: a stream whose last event is still kept has missed nothing.
    func prune(before millis: Int64) async throws {
        try await database.transaction { db in
            try await db.raw("""
                DELETE FROM live_updates WHERE (txid, seq) <= (
                    SELECT txid, seq FROM live_updates WHERE created_at < \(bind: millis) ORDER BY created_at DESC, txid DESC, seq DESC LIMIT 1)
                """).run()
        }
    }
}

/// One read of the log.
struct LivePage: Sendable {
    /// Rows safe to hand out, in order.
    var rows: [LiveRow]
    /// Committed rows were left for later: an older transaction is still running.
    var pending: Bool
    /// The read hit its limit: read again from the last row.
    var full: Bool
}

/// A row and the horizon of the read that found it.
private struct LiveRecordAndHorizon: Decodable {
    var record: LiveRecord
    var horizon: Int64

    init(from decoder: any Decoder) throws {
        record = try LiveRecord(from: decoder)
        horizon = try decoder.container(keyedBy: Keys.self).decode(Int64.self, forKey: .horizon)
    }

    enum Keys: String, CodingKey {
        case horizon
    }
}

/// The position columns of a row.
private struct LivePositionRecord: Decodable {
    var txid: Int64
    var seq: Int64
}
