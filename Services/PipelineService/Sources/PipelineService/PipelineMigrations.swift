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
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX pipeline_jobs_board ON pipeline_jobs (pipeline_id, stage_id, status, entered_at, id)",
            "CREATE INDEX pipeline_jobs_account ON pipeline_jobs (account_id, created_at)",
            "CREATE TABLE job_assignees (job_id TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (job_id, member_id))",
            "CREATE INDEX job_assignees_member ON job_assignees (member_id, job_id)",
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
    ]
}
