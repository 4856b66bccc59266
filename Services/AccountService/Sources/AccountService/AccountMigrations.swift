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
    ]
}
