import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import SQLKit

/// Applies ChatService's events to the pipeline's records (inside the inbox transaction).
struct ChatEventApplier: Sendable {
    let states: any ChatThreadStateRepository
    let jobs: JobStore

    func apply(type: String, body: Data, on tx: any SQLDatabase) async throws {
        switch type {
        case EventTypes.chatThreadTasksCompleted, EventTypes.chatThreadTasksReopened: try await applyTasks(type: type, body: body, on: tx)
        case EventTypes.chatThreadJobLinked, EventTypes.chatThreadJobUnlinked: try await applyLink(type: type, body: body, on: tx)
        default: return
        }
    }

    /// `chat.thread.tasks_completed` and `chat.thread.tasks_reopened` replace a thread's task summary
    /// when they are newer than the one kept (`taskVersion`): a late or repeated event changes nothing.
    private func applyTasks(type: String, body: Data, on tx: any SQLDatabase) async throws {
        let data = try Self.decode(ChatAPI.Components.Schemas.TasksCompletedEvent.self, type: type, body: body)
        let complete = type == EventTypes.chatThreadTasksCompleted
        let kept = try await states.record(TaskSummary(
            threadID: data.threadId, firmID: data.firmId, accountID: data.accountId, completed: Int64(data.completedTasks),
            total: Int64(data.totalTasks), version: data.taskVersion, complete: complete), at: EpochMillis.now(), on: tx)
        // A thread just completed may be the last thing a job's stage waited for.
        guard kept, complete else { return }
        for job in try await jobs.jobIDs(blockedBy: data.threadId, on: tx) { try await AutomoveSignal.check(job: job, on: tx) }
    }

    /// `chat.thread.job_linked` and `chat.thread.job_unlinked` from a person: a link made or removed
    /// in ChatService counts as one made or removed here (SPEC "Automove": a thread linked by hand
    /// counts like one an automation linked), in the job's current stage. A service's links are
    /// this service's own (or an automation's), known already. A job that is not the thread's
    /// firm's and account's is not linked. Events are not ordered against links made and removed
    /// here: a link event older than the link's last removal, or an unlink event older than the
    /// link, is late and changes nothing.
    private func applyLink(type: String, body: Data, on tx: any SQLDatabase) async throws {
        let data = try Self.decode(ChatAPI.Components.Schemas.JobLinkEvent.self, type: type, body: body)
        guard data.actor.kind != .service,
            let job = try await jobs.job(data.jobId, lock: true, on: tx), job.firmId == data.firmId, job.accountId == data.accountId
        else { return }
        let link = try await jobs.threads(job: job.id, on: tx).first { $0.threadId == data.threadId }
        // ChatService's time of the change, not this one's of hearing it: events can be late.
        let (now, changed) = (EpochMillis.now(), EpochMillis.now(data.changedAt))
        if type == EventTypes.chatThreadJobLinked {
            guard link == nil else { return }
            if let removed = try await jobs.unlinkedAt(job: job.id, thread: data.threadId, on: tx), removed >= changed { return }
            try await jobs.link(JobThreadRecord(jobId: job.id, threadId: data.threadId, entryId: job.entryId, moverKind: Mover.Kind.member.rawValue,
                                                moverId: data.actor.id, linkedAt: changed), on: tx)
            _ = try await states.record(TaskSummary(
                threadID: data.threadId, firmID: data.firmId, accountID: data.accountId, completed: Int64(data.completedTasks),
                total: Int64(data.totalTasks), version: data.taskVersion,
                complete: data.totalTasks > 0 && data.completedTasks == data.totalTasks), at: now, on: tx)
        } else {
            guard let link, link.linkedAt <= changed else { return }
            try await jobs.unlink(job: job.id, thread: data.threadId, at: changed, on: tx)
        }
        // A new link may hold the stage back, or be all it waited for; a removed one may have been all that held it.
        try await AutomoveSignal.check(job: job.id, on: tx)
    }

    private static func decode<Payload: Codable & Sendable>(_ type: Payload.Type, type name: String, body: Data) throws -> Payload {
        do {
            return try WebhookEnvelope<Payload>.decode(body).data
        } catch {
            throw PipelineError.invalidEvent("The \(name) payload does not match its schema.")
        }
    }
}
