import AtriumRuntime

/// DocService's schema, in the order it was built up.
enum DocMigrations {
    static let all: [Migration] = [
        Migration("doc-0001-folders", [
            // parent_id is '' at the top of the tree, so the unique index also covers top-level names
            // (NULLs never collide in a unique index).
            """
            CREATE TABLE folders (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                parent_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX folders_sibling_names ON folders (account_id, parent_id, name_key)",
            "CREATE INDEX folders_parent ON folders (parent_id)",
        ]),
        // A document is written as `uploading` before its bytes stream in and flipped to `ready`
        // with its event; a row still `uploading` after a crash names the blob the sweep removes.
        // Names are unique per folder (in any case) among ready documents only.
        Migration("doc-0002-documents", [
            """
            CREATE TABLE documents (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                folder_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                size BIGINT NOT NULL,
                content_type TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                blob_key TEXT NOT NULL,
                uploader_id TEXT NOT NULL,
                uploader_kind TEXT NOT NULL,
                client_access TEXT NOT NULL,
                thread_id TEXT,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX documents_folder_names ON documents (folder_id, name_key) WHERE status = 'ready'",
            "CREATE INDEX documents_account ON documents (account_id, id)",
            "CREATE INDEX documents_folder ON documents (folder_id)",
            "CREATE INDEX documents_status ON documents (status, created_at)",
        ]),
        // Folder templates: the structure is one JSON document (a template is read and replaced
        // whole); names are unique per firm in any case, and the unique index settles races.
        // Numbered 0003: 0002 is the documents table, built alongside.
        Migration("doc-0003-folder-templates", [
            """
            CREATE TABLE folder_templates (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                structure TEXT NOT NULL,
                folder_count BIGINT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX folder_templates_firm_names ON folder_templates (firm_id, name_key)",
        ]),
    ]
}
