import AtriumRuntime

/// PipelineService's schema, in the order it was built up.
enum PipelineMigrations {
    static let all: [Migration] = [
        Migration("pipeline-0001-chat-thread-states", [
            """
            CREATE TABLE chat_thread_states (
                thread_id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                completed_tasks BIGINT NOT NULL,
                total_tasks BIGINT NOT NULL,
                tasks_completed_events BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """
        ]),
        // Pipelines and their ordered stages; a stage's condition is JSON (`TagCondition`), NULL for every job.
        Migration("pipeline-0002-pipelines", [
            """
            CREATE TABLE pipelines (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX pipelines_names ON pipelines (firm_id, name_key)",
            """
            CREATE TABLE stages (
                id TEXT PRIMARY KEY,
                pipeline_id TEXT NOT NULL,
                name TEXT NOT NULL,
                position BIGINT NOT NULL,
                automove INTEGER NOT NULL,
                condition TEXT
            )
            """,
            "CREATE INDEX stages_pipeline ON stages (pipeline_id, position)",
        ]),
        // A thread's task summary is only ever replaced by a newer one (`task_version` grows per
        // thread in ChatService), so late or repeated events cannot turn a thread back.
        Migration("pipeline-0003-thread-task-versions", [
            "ALTER TABLE chat_thread_states ADD COLUMN task_version BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE chat_thread_states ADD COLUMN complete INTEGER NOT NULL DEFAULT 0",
        ]),
        // -- jobs, automations and automove (pipeline-0004…0009) --
        // A stage's automations in run order; `config` is JSON (`AutomationConfig`).
        Migration("pipeline-0004-automations", [
            """
            CREATE TABLE automations (
                id TEXT PRIMARY KEY,
                pipeline_id TEXT NOT NULL,
                stage_id TEXT NOT NULL,
                position BIGINT NOT NULL,
                type TEXT NOT NULL,
                config TEXT NOT NULL,
                condition TEXT
            )
            """,
            "CREATE INDEX automations_stage ON automations (stage_id, position)",
            "CREATE INDEX automations_pipeline ON automations (pipeline_id)",
        ]),
        // Jobs (`pipeline_jobs`: `jobs` is the job queue), each in one stage entry at a time; the board reads `pipeline_jobs_board`.
        // Assignees are rows too so the board filters by one with an index.
        Migration("pipeline-0005-jobs", [
            """
            CREATE TABLE pipeline_jobs (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                pipeline_id TEXT NOT NULL,
                stage_id TEXT NOT NULL,
                entry_id TEXT NOT NULL,
                name TEXT NOT NULL,
                assignees TEXT NOT NULL,
                priority TEXT NOT NULL,
                start_date TEXT,
                due_date TEXT,
                status TEXT NOT NULL,
                entered_at BIGINT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                creation_key TEXT
            )
            """,
            // The creating request's `Idempotency-Key` (with its caller), kept with the job: a retry
            // after a crash that lost the runtime's record of the first answer still finds the job.
            "CREATE UNIQUE INDEX pipeline_jobs_creation ON pipeline_jobs (creation_key)",
            "CREATE INDEX pipeline_jobs_board ON pipeline_jobs (pipeline_id, stage_id, status, entered_at, id)",
            "CREATE INDEX pipeline_jobs_account ON pipeline_jobs (account_id, created_at)",
            // Assignees carry their job's board position, so a board filtered by assignee is a
            // range of this index rather than a scan of the pipeline's jobs.
            """
            CREATE TABLE job_assignees (
                job_id TEXT NOT NULL,
                member_id TEXT NOT NULL,
                pipeline_id TEXT NOT NULL,
                stage_id TEXT NOT NULL,
                status TEXT NOT NULL,
                entered_at BIGINT NOT NULL,
                PRIMARY KEY (job_id, member_id)
            )
            """,
            "CREATE INDEX job_assignees_board ON job_assignees (member_id, pipeline_id, stage_id, status, entered_at, job_id)",
            "CREATE INDEX pipeline_jobs_due ON pipeline_jobs (pipeline_id, stage_id, status, due_date)",
            """
            CREATE TABLE stage_entries (
                id TEXT PRIMARY KEY,
                job_id TEXT NOT NULL,
                pipeline_id TEXT NOT NULL,
                stage_id TEXT NOT NULL,
                from_stage_id TEXT,
                number BIGINT NOT NULL,
                mover_kind TEXT NOT NULL,
                mover_id TEXT,
                unfinished TEXT,
                skipped TEXT NOT NULL,
                entered_at BIGINT NOT NULL,
                automations_done_at BIGINT
            )
            """,
            "CREATE UNIQUE INDEX stage_entries_number ON stage_entries (job_id, number)",
            """
            CREATE TABLE job_threads (
                job_id TEXT NOT NULL,
                thread_id TEXT NOT NULL,
                entry_id TEXT NOT NULL,
                mover_kind TEXT NOT NULL,
                mover_id TEXT,
                linked_at BIGINT NOT NULL,
                PRIMARY KEY (job_id, thread_id)
            )
            """,
            "CREATE INDEX job_threads_thread ON job_threads (thread_id)",
            "CREATE INDEX job_threads_entry ON job_threads (entry_id)",
        ]),
        // One row per (stage entry, automation): the job's automation log and what makes a
        // restarted run skip what is done.
        Migration("pipeline-0006-automation-runs", [
            """
            CREATE TABLE automation_runs (
                entry_id TEXT NOT NULL,
                automation_id TEXT NOT NULL,
                job_id TEXT NOT NULL,
                stage_id TEXT NOT NULL,
                position BIGINT NOT NULL,
                type TEXT NOT NULL,
                template_id TEXT,
                status TEXT NOT NULL,
                outcome TEXT,
                error TEXT,
                attempts BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (entry_id, automation_id)
            )
            """,
            "CREATE INDEX automation_runs_job ON automation_runs (job_id, updated_at)",
        ]),
        // -- client items and team tasks (pipeline-0010…0019) --
        // Templates of client items and team tasks; `content` is JSON of `ItemTemplateContent`.
        Migration("pipeline-0010-item-templates", [
            """
            CREATE TABLE item_templates (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                content TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX item_templates_names ON item_templates (firm_id, kind, name_key)",
        ]),
        // Invoices, organizers and proposals sent to a client, each a copy of its template made at
        // creation (`content`); `creation_key` makes the automation runner's create idempotent.
        Migration("pipeline-0011-client-items", [
            """
            CREATE TABLE client_items (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                job_id TEXT NOT NULL,
                entry_id TEXT,
                template_id TEXT NOT NULL,
                creation_key TEXT NOT NULL,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                name TEXT NOT NULL,
                content TEXT NOT NULL,
                answers TEXT,
                total_minor BIGINT NOT NULL,
                paid_minor BIGINT NOT NULL,
                currency TEXT,
                signed_name TEXT,
                completed_at BIGINT,
                completed_by TEXT,
                cancelled_at BIGINT,
                cancelled_by TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX client_items_keys ON client_items (creation_key)",
            "CREATE INDEX client_items_jobs ON client_items (job_id, entry_id)",
            "CREATE INDEX client_items_accounts ON client_items (account_id, id)",
            """
            CREATE TABLE item_payments (
                id TEXT PRIMARY KEY,
                item_id TEXT NOT NULL,
                amount_minor BIGINT NOT NULL,
                currency TEXT NOT NULL,
                method TEXT NOT NULL,
                note TEXT,
                source TEXT NOT NULL,
                provider_payment_id TEXT,
                recorded_by TEXT,
                recorded_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX item_payments_items ON item_payments (item_id, recorded_at)",
            "CREATE UNIQUE INDEX item_payments_provider ON item_payments (provider_payment_id)",
            // The payment provider's webhook ids already applied.
            """
            CREATE TABLE payment_webhook_receipts (
                webhook_id TEXT PRIMARY KEY,
                received_at BIGINT NOT NULL
            )
            """,
        ]),
        // Team tasks made from task templates, linked to a job's stage entry.
        Migration("pipeline-0012-team-tasks", [
            """
            CREATE TABLE team_tasks (
                id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                account_id TEXT NOT NULL,
                job_id TEXT NOT NULL,
                entry_id TEXT,
                template_id TEXT NOT NULL,
                creation_key TEXT NOT NULL,
                status TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                assignee_ids TEXT NOT NULL,
                due_at BIGINT,
                blocks_automove INTEGER NOT NULL,
                completed_at BIGINT,
                completed_by TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX team_tasks_keys ON team_tasks (creation_key)",
            "CREATE INDEX team_tasks_jobs ON team_tasks (job_id, entry_id)",
        ]),
        // Reminders of an unfinished client item, asked for by its automation: every N days, at most M.
        Migration("pipeline-0013-item-reminders", [
            "ALTER TABLE client_items ADD COLUMN reminder_every_days BIGINT",
            "ALTER TABLE client_items ADD COLUMN reminder_max BIGINT",
            "ALTER TABLE client_items ADD COLUMN reminders_sent BIGINT NOT NULL DEFAULT 0",
        ]),
        // When a thread's link to a job was last removed: a link event from ChatService older
        // than that is late and links nothing again.
        Migration("pipeline-0020-job-thread-unlinks", [
            """
            CREATE TABLE job_thread_unlinks (
                job_id TEXT NOT NULL,
                thread_id TEXT NOT NULL,
                unlinked_at BIGINT NOT NULL,
                PRIMARY KEY (job_id, thread_id)
            )
            """,
        ]),
    ]
}
