import AtriumRuntime

/// NotifyService's schema, in the order it was built up.
enum NotifyMigrations {
    static let all: [Migration] = [
        // Inbox+ items: one per cause and recipient, so an event heard twice tells nobody twice.
        // Ids grow with time: newest first is `id DESC`.
        Migration("notify-0001-inbox", [
            """
            CREATE TABLE inbox_items (
                id TEXT PRIMARY KEY,
                cause TEXT NOT NULL,
                firm_id TEXT NOT NULL,
                recipient_id TEXT NOT NULL,
                recipient_kind TEXT NOT NULL,
                account_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                summary TEXT NOT NULL,
                thread_id TEXT,
                message_id TEXT,
                actor_id TEXT,
                actor_kind TEXT,
                actor_name TEXT,
                tasks TEXT,
                link TEXT,
                created_at BIGINT NOT NULL,
                read_at BIGINT
            )
            """,
            "CREATE UNIQUE INDEX inbox_items_cause ON inbox_items (cause, recipient_id)",
            "CREATE INDEX inbox_items_recipient ON inbox_items (recipient_id, id)",
            "CREATE INDEX inbox_items_unread ON inbox_items (recipient_id, read_at, kind)",
        ]),
        // A team member's choice per kind; a kind without a row follows the default.
        Migration("notify-0002-preferences", [
            """
            CREATE TABLE notification_preferences (
                member_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                channel TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (member_id, kind)
            )
            """,
        ]),
        // Outgoing e-mail: one row per cause and address, sent by a job of its own. An invitation's
        // row keeps no link: the link carries a secret and is fetched when the e-mail is sent.
        Migration("notify-0003-emails", [
            """
            CREATE TABLE emails (
                id TEXT PRIMARY KEY,
                cause TEXT NOT NULL,
                firm_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                recipient_id TEXT,
                to_address TEXT NOT NULL,
                to_name TEXT,
                subject TEXT NOT NULL,
                text_body TEXT NOT NULL,
                html_body TEXT NOT NULL,
                invitation_id TEXT,
                message_id TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                last_error TEXT,
                job_id TEXT,
                created_at BIGINT NOT NULL,
                sent_at BIGINT,
                next_attempt_at BIGINT
            )
            """,
            "CREATE UNIQUE INDEX emails_cause ON emails (cause, to_address)",
            "CREATE INDEX emails_firm ON emails (firm_id, id)",
            "CREATE INDEX emails_status ON emails (status, id)",
        ]),
        // Inbox+ streams: each person's changes numbered in commit order. The counter row is
        // locked by the transaction that bumps it, so a later number never commits first and a
        // stream that resumes after number n misses nothing.
        Migration("notify-0004-inbox-stream", [
            "CREATE TABLE inbox_cursors (recipient_id TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
            "ALTER TABLE inbox_items ADD COLUMN seq BIGINT",
            "CREATE INDEX inbox_items_stream ON inbox_items (recipient_id, seq)",
        ]),
        // A firm's e-mail templates (the pipeline's "send e-mail"): names unique in any case.
        Migration("notify-0005-email-templates", [
            """
            CREATE TABLE email_templates (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX email_templates_names ON email_templates (firm_id, name_key)",
        ]),
        // The daily digest: a member's choice, and the notices waiting for their next digest.
        Migration("notify-0006-digest", [
            "CREATE TABLE member_settings (member_id TEXT PRIMARY KEY, digest INTEGER NOT NULL, updated_at BIGINT NOT NULL)",
            """
            CREATE TABLE digest_entries (
                id TEXT PRIMARY KEY,
                cause TEXT NOT NULL,
                firm_id TEXT NOT NULL,
                member_id TEXT NOT NULL,
                email TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                summary TEXT NOT NULL,
                link TEXT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX digest_entries_cause ON digest_entries (cause, member_id)",
            "CREATE INDEX digest_entries_member ON digest_entries (member_id, id)",
        ]),
    ]
}
