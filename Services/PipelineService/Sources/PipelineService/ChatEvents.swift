import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import SQLKit

/// Applies ChatService's events to the pipeline's records (inside the inbox transaction).
struct ChatEventApplier: Sendable {
    let states: any ChatThreadStateRepository

    /// `chat.thread.tasks_completed` and `chat.thread.tasks_reopened` replace a thread's task summary
    /// when they are newer than the one kept (`taskVersion`): a late or repeated event changes nothing.
    func apply(type: String, body: Data, on tx: any SQLDatabase) async throws {
        guard type == EventTypes.chatThreadTasksCompleted || type == EventTypes.chatThreadTasksReopened else { return }
        let event: WebhookEnvelope<ChatAPI.Components.Schemas.TasksCompletedEvent>
        do {
            event = try .decode(body)
        } catch {
            throw PipelineError.invalidEvent("The \(type) payload does not match its schema.")
        }
        let data = event.data
        _ = try await states.record(TaskSummary(
            threadID: data.threadId, firmID: data.firmId, accountID: data.accountId, completed: Int64(data.completedTasks),
            total: Int64(data.totalTasks), version: data.taskVersion, complete: type == EventTypes.chatThreadTasksCompleted), at: EpochMillis.now(), on: tx)
    }
}
