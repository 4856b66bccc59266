import AtriumRuntime

/// ChatService's schema, in the order it was built up.
enum ChatMigrations {
    static let all: [Migration] = [
        Migration("chat-0001-threads", [
            """
            CREATE TABLE threads (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                subject TEXT NOT NULL,
                status TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX threads_account ON threads (firm_id, account_id, id)",
            """
            CREATE TABLE client_tasks (
                id TEXT PRIMARY KEY,
                thread_id TEXT NOT NULL REFERENCES threads (id),
                text TEXT NOT NULL,
                position BIGINT NOT NULL,
                done_at BIGINT,
                done_by TEXT
            )
            """,
            "CREATE INDEX client_tasks_thread ON client_tasks (thread_id, position)",
        ]),
        // Chat templates: `tasks` is the JSON array of the task texts; reminders are off when
        // both reminder columns are NULL.
        Migration("chat-0003-chat-templates", [
            """
            CREATE TABLE chat_templates (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                tasks TEXT NOT NULL,
                reminder_days BIGINT,
                reminder_count BIGINT,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                CHECK ((reminder_days IS NULL) = (reminder_count IS NULL))
            )
            """,
            "CREATE UNIQUE INDEX chat_templates_firm_names ON chat_templates (firm_id, name_key)",
        ]),
    ]
}
