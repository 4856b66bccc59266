import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import SQLKit

/// Applies ChatService's events to the pipeline's records (inside the inbox transaction).
struct ChatEventApplier: Sendable {
    let states: any ChatThreadStateRepository

    func apply(type: String, body: Data, on tx: any SQLDatabase) async throws {
        guard type == EventTypes.chatThreadTasksCompleted else { return }
        let event: WebhookEnvelope<ChatAPI.Components.Schemas.TasksCompletedEvent>
        do {
            event = try .decode(body)
        } catch {
            throw PipelineError.invalidEvent("The \(type) payload does not match its schema.")
        }
        let data = event.data
        try await states.recordTasksCompleted(
            threadID: data.threadId, firmID: data.firmId, accountID: data.accountId,
            completed: Int64(data.completedTasks), total: Int64(data.totalTasks),
            at: EpochMillis.now(), on: tx)
    }
}
