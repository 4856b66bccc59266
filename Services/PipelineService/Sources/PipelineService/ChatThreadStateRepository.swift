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
}

/// Storage of chat thread states; methods run on the connection given, inside the inbox transaction.
protocol ChatThreadStateRepository: Sendable {
    func recordTasksCompleted(threadID: String, firmID: String, accountID: String, completed: Int64, total: Int64,
                              at millis: Int64, on db: any SQLDatabase) async throws
    func find(_ threadID: String, on db: any SQLDatabase) async throws -> ChatThreadState?
}

struct SQLChatThreadStateRepository: ChatThreadStateRepository {
    func recordTasksCompleted(threadID: String, firmID: String, accountID: String, completed: Int64, total: Int64,
                              at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO chat_thread_states (thread_id, firm_id, account_id, completed_tasks, total_tasks, tasks_completed_events, updated_at)
            VALUES (\(bind: threadID), \(bind: firmID), \(bind: accountID), \(bind: completed), \(bind: total), 1, \(bind: millis))
            ON CONFLICT (thread_id) DO UPDATE SET
                completed_tasks = excluded.completed_tasks, total_tasks = excluded.total_tasks,
                tasks_completed_events = chat_thread_states.tasks_completed_events + 1, updated_at = excluded.updated_at
            """).run()
    }

    func find(_ threadID: String, on db: any SQLDatabase) async throws -> ChatThreadState? {
        try await db.row(ChatThreadState.self, from: "chat_thread_states", where: "thread_id", is: threadID)
    }
}
