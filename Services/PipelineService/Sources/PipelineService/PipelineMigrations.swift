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
        ])
    ]
}
