/// The tables of the outbox, the webhook dispatcher and the consumer inbox.
///
/// Every service runs these with its own migrations: producers use the outbox side, consumers
/// the inbox, and both are cheap when unused.
public enum EventMigrations {
    public static let all: [Migration] = [
        Migration("runtime-0001-outbox") { engine in
            let seq = engine == .postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
            return [
                """
                CREATE TABLE outbox_events (
                    seq \(seq),
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    firm_id TEXT,
                    payload TEXT NOT NULL,
                    traceparent TEXT,
                    created_at BIGINT NOT NULL,
                    dispatched_at BIGINT
                )
                """,
                "CREATE INDEX outbox_events_undispatched ON outbox_events (dispatched_at, seq)",
                """
                CREATE TABLE webhook_subscriptions (
                    id TEXT PRIMARY KEY,
                    firm_id TEXT,
                    url TEXT NOT NULL,
                    event_types TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    description TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE webhook_deliveries (
                    id TEXT PRIMARY KEY,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    firm_id TEXT,
                    subscription_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts BIGINT NOT NULL,
                    attempt_budget BIGINT NOT NULL,
                    next_attempt_at BIGINT,
                    lease_until BIGINT,
                    last_error TEXT,
                    created_at BIGINT NOT NULL,
                    delivered_at BIGINT,
                    UNIQUE (event_id, subscription_id)
                )
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)",
                """
                CREATE TABLE webhook_attempts (
                    delivery_id TEXT NOT NULL,
                    number BIGINT NOT NULL,
                    attempted_at BIGINT NOT NULL,
                    status_code BIGINT,
                    error TEXT,
                    duration_ms BIGINT NOT NULL,
                    PRIMARY KEY (delivery_id, number)
                )
                """,
                """
                CREATE TABLE webhook_inbox (
                    webhook_id TEXT PRIMARY KEY,
                    event_type TEXT NOT NULL,
                    received_at BIGINT NOT NULL
                )
                """,
            ]
        }
    ]
}
