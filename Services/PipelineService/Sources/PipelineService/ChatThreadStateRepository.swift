import AtriumRuntime
import SQLKit

/// What the pipeline service has learnt of a chat thread from ChatService's events.
struct ChatThreadState: Codable, Sendable {
    var threadId: String
    var firmId: String
    var accountId: String
    var completedTasks: Int64
    var totalTasks: Int64
    var tasksCompletedEvents: Int64
    var updatedAt: Int64
    /// ChatService's per-thread task version of the summary kept here.
    var taskVersion: Int64
    /// Every task checked, as of `taskVersion`.
    var complete: Int64
}

/// A task summary as ChatService published it.
struct TaskSummary: Sendable, Equatable {
    var threadID: String
    var firmID: String
    var accountID: String
    var completed: Int64
    var total: Int64
    var version: Int64
    var complete: Bool
}

extension TaskSummary {
    /// A thread's summary as ChatService answers for it now.
    init(_ facts: ThreadFacts) {
        self.init(threadID: facts.id, firmID: facts.firmID, accountID: facts.accountID, completed: Int64(facts.completedTasks),
                  total: Int64(facts.totalTasks), version: facts.taskVersion, complete: facts.totalTasks > 0 && !facts.blocks)
    }
}

/// Storage of chat thread states; methods run on the connection given, inside the inbox transaction.
protocol ChatThreadStateRepository: Sendable {
    /// Keeps `summary` unless a summary of the same or a later version is kept already; true when kept.
    func record(_ summary: TaskSummary, at millis: Int64, on db: any SQLDatabase) async throws -> Bool
    func find(_ threadID: String, on db: any SQLDatabase) async throws -> ChatThreadState?
}

struct SQLChatThreadStateRepository: ChatThreadStateRepository {
    func record(_ summary: TaskSummary, at millis: Int64, on db: any SQLDatabase) async throws -> Bool {
        let completions: Int64 = summary.complete ? 1 : 0
        let kept = try await db.raw("""
            INSERT INTO chat_thread_states (thread_id, firm_id, account_id, completed_tasks, total_tasks, tasks_completed_events,
                updated_at, task_version, complete)
            VALUES (\(bind: summary.threadID), \(bind: summary.firmID), \(bind: summary.accountID), \(bind: summary.completed),
                \(bind: summary.total), \(bind: completions), \(bind: millis), \(bind: summary.version), \(bind: completions))
            ON CONFLICT (thread_id) DO UPDATE SET
                completed_tasks = excluded.completed_tasks, total_tasks = excluded.total_tasks,
                tasks_completed_events = chat_thread_states.tasks_completed_events + excluded.complete,
                updated_at = excluded.updated_at, task_version = excluded.task_version, complete = excluded.complete
            WHERE chat_thread_states.task_version < excluded.task_version
            RETURNING thread_id
            """).first()
        return kept != nil
    }

    func find(_ threadID: String, on db: any SQLDatabase) async throws -> ChatThreadState? {
        try await db.row(ChatThreadState.self, from: "chat_thread_states", where: "thread_id", is: threadID)
    }
}
