import AtriumRuntime

extension ChatMigrations {
    /// The live-updates log (see `LiveLog`). The sequence never reuses a number (SQLite's
    /// `AUTOINCREMENT`), so an event id names one row for good; on PostgreSQL each row also
    /// carries its transaction's id, which orders rows as they can be seen to commit.
    static let liveUpdates = Migration("chat-0004-live-updates", statements: { engine in
        let key = engine == .postgres ? "seq BIGSERIAL PRIMARY KEY" : "seq INTEGER PRIMARY KEY AUTOINCREMENT"
        let txid = engine == .postgres ? "txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)" : "txid BIGINT NOT NULL DEFAULT 0"
        return [
            """
            CREATE TABLE live_updates (
                \(key),
                \(txid),
                thread_id TEXT NOT NULL,
                firm_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                event TEXT NOT NULL,
                audience TEXT NOT NULL,
                person_id TEXT,
                data TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX live_updates_position ON live_updates (txid, seq)",
            "CREATE INDEX live_updates_thread ON live_updates (thread_id, txid, seq)",
            "CREATE INDEX live_updates_firm ON live_updates (firm_id, txid, seq)",
            "CREATE INDEX live_updates_created ON live_updates (created_at)",
        ]
    })
}
