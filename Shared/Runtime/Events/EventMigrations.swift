/// The tables of the outbox, the job queue (`JobMigrations`), webhook deliveries and the consumer inbox.
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
    ] + JobMigrations.all + [webhookJobs]

    /// Deliveries become jobs of the queue (their status, attempts and schedule move to `jobs` and
    /// `job_attempts`), and subscriptions get an owner: `atrium` for Atrium's services, `firm:<id>`
    /// for a firm's. A subscription's key is `<owner>/<name>`; the API shows the name as its id.
    static let webhookJobs = Migration("runtime-0003-webhook-jobs", [
        "ALTER TABLE webhook_subscriptions ADD COLUMN owner TEXT",
        "ALTER TABLE webhook_subscriptions ADD COLUMN name TEXT",
        "UPDATE webhook_subscriptions SET name = id, owner = CASE WHEN firm_id IS NULL THEN 'atrium' ELSE 'firm:' || firm_id END",
        "ALTER TABLE webhook_deliveries ADD COLUMN owner TEXT",
        """
        UPDATE webhook_deliveries SET owner = (SELECT s.owner FROM webhook_subscriptions s WHERE s.id = webhook_deliveries.subscription_id)
        """,
        "UPDATE webhook_subscriptions SET id = owner || '/' || name",
        "UPDATE webhook_deliveries SET subscription_id = owner || '/' || subscription_id WHERE owner IS NOT NULL",
        "CREATE UNIQUE INDEX webhook_subscriptions_owner_name ON webhook_subscriptions (owner, name)",
        "CREATE INDEX webhook_deliveries_owner ON webhook_deliveries (owner, id)",
        """
        INSERT INTO jobs (id, kind, payload, status, run_at, attempts, attempt_budget, last_error, created_at, finished_at)
        SELECT id, 'webhook.delivery', '{}',
            CASE WHEN status = 'delivered' THEN 'succeeded' WHEN status = 'pending' AND owner IS NULL THEN 'cancelled' ELSE status END,
            COALESCE(next_attempt_at, created_at), attempts, attempt_budget, last_error, created_at,
            CASE WHEN status = 'pending' AND owner IS NOT NULL THEN NULL ELSE COALESCE(delivered_at, created_at) END
        FROM webhook_deliveries
        """,
        // A delivery whose subscription was already deleted belongs to Atrium's operators.
        "UPDATE webhook_deliveries SET owner = 'atrium', subscription_id = 'atrium/' || subscription_id WHERE owner IS NULL",
        """
        INSERT INTO job_attempts (job_id, number, started_at, outcome, code, error, duration_ms)
        SELECT delivery_id, number, attempted_at,
            CASE WHEN status_code >= 200 AND status_code < 300 THEN 'succeeded' ELSE 'failed' END,
            status_code, error, duration_ms
        FROM webhook_attempts
        """,
        "DROP TABLE webhook_attempts",
        "DROP INDEX webhook_deliveries_due",
        "ALTER TABLE webhook_deliveries DROP COLUMN status",
        "ALTER TABLE webhook_deliveries DROP COLUMN attempts",
        "ALTER TABLE webhook_deliveries DROP COLUMN attempt_budget",
        "ALTER TABLE webhook_deliveries DROP COLUMN next_attempt_at",
        "ALTER TABLE webhook_deliveries DROP COLUMN lease_until",
        "ALTER TABLE webhook_deliveries DROP COLUMN last_error",
        "ALTER TABLE webhook_deliveries DROP COLUMN delivered_at",
        "CREATE INDEX outbox_events_dispatched ON outbox_events (dispatched_at)",
        "CREATE INDEX webhook_inbox_received ON webhook_inbox (received_at)",
    ])
}
