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
        messages,
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
        liveUpdates,
        bulkSends,
        requestKeys,
    ]

    /// Messages, read state, recipients, job links, the documents tab and the local copy of who may
    /// see each account; the thread row carries what lists need (counts, last message, tasks).
    static let messages = Migration("chat-0002-messages", threadColumns + [
        "UPDATE threads SET last_activity_at = created_at, last_public_at = created_at",
        """
        UPDATE threads SET
            tasks_total = (SELECT COUNT(*) FROM client_tasks c WHERE c.thread_id = threads.id),
            tasks_done = (SELECT COUNT(*) FROM client_tasks c WHERE c.thread_id = threads.id AND c.done_at IS NOT NULL)
        """,
        "ALTER TABLE client_tasks ADD COLUMN done_by_kind TEXT",
        "CREATE INDEX threads_account_activity ON threads (account_id, last_activity_at, id)",
        "CREATE INDEX threads_account_public ON threads (account_id, last_public_at, id)",
        "CREATE INDEX threads_firm_activity ON threads (firm_id, last_activity_at, id)",
        "CREATE INDEX threads_firm_public ON threads (firm_id, last_public_at, id)",
        "CREATE INDEX threads_reminder_due ON threads (next_reminder_at) WHERE next_reminder_at IS NOT NULL",
        """
        CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            thread_id TEXT NOT NULL REFERENCES threads (id),
            seq BIGINT NOT NULL,
            kind TEXT NOT NULL,
            author_id TEXT NOT NULL,
            author_kind TEXT NOT NULL,
            team_only INTEGER NOT NULL,
            text TEXT NOT NULL,
            html TEXT NOT NULL,
            plain TEXT NOT NULL,
            mentions TEXT NOT NULL,
            embeds TEXT NOT NULL,
            task_update TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX messages_thread_seq ON messages (thread_id, seq)",
        """
        CREATE TABLE thread_recipients (
            thread_id TEXT NOT NULL REFERENCES threads (id),
            contact_id TEXT NOT NULL,
            PRIMARY KEY (thread_id, contact_id)
        )
        """,
        """
        CREATE TABLE read_states (
            thread_id TEXT NOT NULL REFERENCES threads (id),
            reader_id TEXT NOT NULL,
            read_count BIGINT NOT NULL,
            read_public_count BIGINT NOT NULL,
            read_at BIGINT NOT NULL,
            PRIMARY KEY (thread_id, reader_id)
        )
        """,
        """
        CREATE TABLE thread_jobs (
            thread_id TEXT NOT NULL REFERENCES threads (id),
            job_id TEXT NOT NULL,
            firm_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            linked_by TEXT NOT NULL,
            linked_at BIGINT NOT NULL,
            PRIMARY KEY (thread_id, job_id)
        )
        """,
        "CREATE INDEX thread_jobs_job ON thread_jobs (job_id, linked_at)",
        """
        CREATE TABLE thread_documents (
            thread_id TEXT NOT NULL REFERENCES threads (id),
            document_id TEXT NOT NULL,
            message_id TEXT,
            name TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size BIGINT NOT NULL,
            team_only INTEGER NOT NULL,
            attached_by TEXT NOT NULL,
            attached_by_kind TEXT NOT NULL,
            attached_at BIGINT NOT NULL,
            PRIMARY KEY (thread_id, document_id)
        )
        """,
        "CREATE INDEX thread_documents_document ON thread_documents (document_id)",
        "CREATE INDEX thread_documents_message ON thread_documents (message_id)",
        """
        CREATE TABLE account_people (
            account_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            PRIMARY KEY (account_id, person_id)
        )
        """,
        "CREATE INDEX account_people_person ON account_people (person_id, account_id)",
        """
        CREATE TABLE account_versions (
            account_id TEXT PRIMARY KEY,
            firm_id TEXT NOT NULL,
            version BIGINT NOT NULL
        )
        """,
    ])

    private static let threadColumns = [
        "created_by_kind TEXT NOT NULL DEFAULT 'member'",
        "last_activity_at BIGINT NOT NULL DEFAULT 0",
        "last_public_at BIGINT NOT NULL DEFAULT 0",
        "last_message_id TEXT",
        "last_public_message_id TEXT",
        "message_count BIGINT NOT NULL DEFAULT 0",
        "public_count BIGINT NOT NULL DEFAULT 0",
        "tasks_total BIGINT NOT NULL DEFAULT 0",
        "tasks_done BIGINT NOT NULL DEFAULT 0",
        "task_version BIGINT NOT NULL DEFAULT 0",
        "archived_at BIGINT",
        "reminder_days BIGINT",
        "reminder_count BIGINT",
        "reminders_sent BIGINT NOT NULL DEFAULT 0",
        "next_reminder_at BIGINT",
    ].map { "ALTER TABLE threads ADD COLUMN \($0)" }

    /// Bulk sends: the request and who made it, and one row per account with its outcome.
    static let bulkSends = Migration("chat-0005-bulk-sends", [
        """
        CREATE TABLE bulk_sends (
            id TEXT PRIMARY KEY,
            firm_id TEXT NOT NULL,
            caller TEXT NOT NULL,
            request TEXT NOT NULL,
            status TEXT NOT NULL,
            total BIGINT NOT NULL,
            sent BIGINT NOT NULL,
            skipped BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            finished_at BIGINT
        )
        """,
        """
        CREATE TABLE bulk_send_items (
            bulk_id TEXT NOT NULL REFERENCES bulk_sends (id),
            position BIGINT NOT NULL,
            account_id TEXT NOT NULL,
            status TEXT NOT NULL,
            reason TEXT,
            detail TEXT,
            thread_id TEXT,
            PRIMARY KEY (bulk_id, position)
        )
        """,
        "CREATE INDEX bulk_send_items_status ON bulk_send_items (bulk_id, status, position)",
    ])

    /// A message or thread remembers the `Idempotency-Key` that made it, in its own row, so that a
    /// retry finds it even when the service died before the idempotency record was written.
    static let requestKeys = Migration("chat-0006-request-keys", [
        "ALTER TABLE messages ADD COLUMN request_key TEXT",
        "CREATE UNIQUE INDEX messages_request_key ON messages (thread_id, author_id, request_key) WHERE request_key IS NOT NULL",
        "ALTER TABLE threads ADD COLUMN request_key TEXT",
        "CREATE UNIQUE INDEX threads_request_key ON threads (created_by, request_key) WHERE request_key IS NOT NULL",
    ])
}
