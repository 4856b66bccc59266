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
        // -- client items and team tasks (pipeline-0010…0019) --
    ]
}
