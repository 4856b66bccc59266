import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import SQLKit

/// Applies ChatService's events to the pipeline's records (inside the inbox transaction).
struct ChatEventApplier: Sendable {
    let states: any ChatThreadStateRepository
    let jobs: JobStore

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
        let complete = type == EventTypes.chatThreadTasksCompleted
        let kept = try await states.record(TaskSummary(
            threadID: data.threadId, firmID: data.firmId, accountID: data.accountId, completed: Int64(data.completedTasks),
            total: Int64(data.totalTasks), version: data.taskVersion, complete: complete), at: EpochMillis.now(), on: tx)
        // A thread just completed may be the last thing a job's stage waited for.
        guard kept, complete else { return }
        for job in try await jobs.jobIDs(blockedBy: data.threadId, on: tx) { try await AutomoveSignal.check(job: job, on: tx) }
    }
}
