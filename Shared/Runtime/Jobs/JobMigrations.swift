/// The tables of the job queue: one row per job, one per attempt at it.
///
/// A pending job's `run_at` is when it may next be claimed: its due time, or while it is leased
/// (`lease_token` set) the lease's expiry, so a lease left by a dead process falls due by itself
/// and one index answers both "what is due" and "when is the next wake-up".
public enum JobMigrations {
    public static let all: [Migration] = [
        Migration("runtime-0002-jobs", [
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                unique_key TEXT UNIQUE,
                status TEXT NOT NULL,
                run_at BIGINT NOT NULL,
                lease_token TEXT,
                attempts BIGINT NOT NULL,
                attempt_budget BIGINT NOT NULL,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                finished_at BIGINT
            )
            """,
            "CREATE INDEX jobs_due ON jobs (status, run_at)",
            "CREATE INDEX jobs_finished ON jobs (finished_at)",
            """
            CREATE TABLE job_attempts (
                job_id TEXT NOT NULL,
                number BIGINT NOT NULL,
                started_at BIGINT NOT NULL,
                outcome TEXT NOT NULL,
                code BIGINT,
                error TEXT,
                duration_ms BIGINT,
                PRIMARY KEY (job_id, number)
            )
            """,
        ])
    ]
}
