import AtriumRuntime

/// AccountService's schema, in the order it was built up.
enum AccountMigrations {
    static let all: [Migration] = [
        Migration("account-0001-directory", [
            "CREATE TABLE firms (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE team_members (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL REFERENCES firms (id),
                email TEXT NOT NULL UNIQUE,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL,
                role TEXT NOT NULL,
                rights TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                failed_logins BIGINT NOT NULL,
                locked_until BIGINT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX team_members_firm ON team_members (firm_id, id)",
            """
            CREATE TABLE refresh_tokens (
                token_hash TEXT PRIMARY KEY,
                member_id TEXT NOT NULL REFERENCES team_members (id),
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX refresh_tokens_member ON refresh_tokens (member_id)",
            """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL REFERENCES firms (id),
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX accounts_firm ON accounts (firm_id, id)",
        ]),
        Migration("account-0002-tags", [
            """
            CREATE TABLE tags (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL REFERENCES firms (id),
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE (firm_id, name_key)
            )
            """,
            """
            CREATE TABLE account_tags (
                account_id TEXT NOT NULL REFERENCES accounts (id),
                tag_id TEXT NOT NULL REFERENCES tags (id),
                PRIMARY KEY (account_id, tag_id)
            )
            """,
            "CREATE INDEX account_tags_tag ON account_tags (tag_id)",
        ]),
        Migration("account-0003-people-and-access", [
            // Firm settings, with the defaults SPEC "People and access" gives.
            "ALTER TABLE firms ADD COLUMN clients_may_start_chats BIGINT NOT NULL DEFAULT 1",
            "ALTER TABLE firms ADD COLUMN show_content_in_emails BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE firms ADD COLUMN reminder_days BIGINT NOT NULL DEFAULT 3",
            "ALTER TABLE firms ADD COLUMN reminder_count BIGINT NOT NULL DEFAULT 1",
            "ALTER TABLE firms ADD COLUMN settings_updated_at BIGINT NOT NULL DEFAULT 0",
            "UPDATE firms SET settings_updated_at = created_at",
            "ALTER TABLE team_members ADD COLUMN status TEXT NOT NULL DEFAULT 'active'",
            "ALTER TABLE team_members ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0",
            "UPDATE team_members SET updated_at = created_at",
            "ALTER TABLE accounts ADD COLUMN search_key TEXT NOT NULL DEFAULT ''",
            "UPDATE accounts SET search_key = lower(name)",
            "ALTER TABLE accounts ADD COLUMN access_version BIGINT NOT NULL DEFAULT 0",
            """
            CREATE TABLE contacts (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL REFERENCES firms (id),
                email TEXT NOT NULL,
                first_name TEXT NOT NULL,
                last_name TEXT NOT NULL,
                password_hash TEXT,
                activated_at BIGINT,
                failed_logins BIGINT NOT NULL,
                locked_until BIGINT,
                created_at BIGINT NOT NULL,
                UNIQUE (firm_id, email)
            )
            """,
            """
            CREATE TABLE account_contacts (
                account_id TEXT NOT NULL REFERENCES accounts (id),
                contact_id TEXT NOT NULL REFERENCES contacts (id),
                portal_access BIGINT NOT NULL,
                notify BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (account_id, contact_id)
            )
            """,
            "CREATE INDEX account_contacts_contact ON account_contacts (contact_id)",
            """
            CREATE TABLE account_assignments (
                account_id TEXT NOT NULL REFERENCES accounts (id),
                member_id TEXT NOT NULL REFERENCES team_members (id),
                PRIMARY KEY (account_id, member_id)
            )
            """,
            "CREATE INDEX account_assignments_member ON account_assignments (member_id, account_id)",
            // Sessions of members and contacts alike; replaces the members-only refresh_tokens.
            """
            CREATE TABLE refresh_sessions (
                token_hash TEXT PRIMARY KEY,
                subject_kind TEXT NOT NULL,
                subject_id TEXT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX refresh_sessions_subject ON refresh_sessions (subject_id)",
            "DROP TABLE refresh_tokens",
            """
            CREATE TABLE invitations (
                token_hash TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL REFERENCES firms (id),
                subject_kind TEXT NOT NULL,
                subject_id TEXT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            """
            CREATE TABLE firm_activity (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL REFERENCES firms (id),
                actor_id TEXT NOT NULL,
                actor_name TEXT NOT NULL,
                action TEXT NOT NULL,
                summary TEXT NOT NULL,
                at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX firm_activity_firm ON firm_activity (firm_id, id)",
        ]),
        // A counter of changes to what a member may do (role, rights, status): tokens carry it, and
        // a token with an older one is refused. Exact, where comparing times was only to the second.
        Migration("account-0004-member-standing", [
            "ALTER TABLE team_members ADD COLUMN standing BIGINT NOT NULL DEFAULT 0",
        ]),
        // Invitation tokens are derived from the invitation's id and never published; events
        // written before this carried them in clear, so they are scrubbed from the outbox.
        Migration("account-0005-invitation-ids") { engine in
            [
                "ALTER TABLE invitations ADD COLUMN id TEXT",
                "CREATE UNIQUE INDEX invitations_id ON invitations (id)",
                engine == .postgres
                    ? "UPDATE outbox_events SET payload = (payload::jsonb #- '{data,token}')::text WHERE type = 'account.invitation_created'"
                    : "UPDATE outbox_events SET payload = json_remove(payload, '$.data.token') WHERE type = 'account.invitation_created'",
            ]
        },
    ]
}
