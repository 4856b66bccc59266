import AtriumRuntime
import Contracts
import Foundation
import PipelineAPI

/// The job events integrators hear through the outbox (written in the changing transaction).
enum JobEvents {
    static func status(_ type: String, _ job: JobRecord, by mover: Mover, at millis: Int64, on tx: OutboxTransaction) async throws {
        let event = Components.Schemas.JobEvent(
            jobId: job.id, firmId: job.firmId, accountId: job.accountId, pipelineId: job.pipelineId, stageId: job.stageId, name: job.name,
            status: .init(rawValue: job.status) ?? .active, by: mover.wire, at: EpochMillis.date(millis: millis))
        try await tx.publish(type, firmID: job.firmId, payload: event)
    }

    static func moved(_ job: JobRecord, from previous: JobRecord, entry: StageEntryRecord, on tx: OutboxTransaction) async throws {
        let event = Components.Schemas.JobMovedEvent(
            jobId: job.id, firmId: job.firmId, accountId: job.accountId, fromPipelineId: previous.pipelineId, fromStageId: previous.stageId,
            toPipelineId: job.pipelineId, toStageId: job.stageId, entryId: entry.id,
            movedBy: Mover(kind: Mover.Kind(rawValue: entry.moverKind) ?? .member, id: entry.moverId).wire,
            unfinished: entry.unfinished.flatMap { .init(rawValue: $0) }, skippedStageIds: entry.skippedIDs.nilIfEmpty,
            movedAt: EpochMillis.date(millis: entry.enteredAt))
        try await tx.publish(EventTypes.pipelineJobMoved, firmID: job.firmId, payload: event)
    }

    static func automationFailed(_ job: JobRecord, run: AutomationRunRecord, on tx: OutboxTransaction) async throws {
        let event = Components.Schemas.AutomationFailedEvent(
            jobId: job.id, firmId: job.firmId, accountId: job.accountId, stageId: run.stageId, entryId: run.entryId,
            automationId: run.automationId, _type: .init(rawValue: run.type) ?? .sendEmail, error: run.error ?? "",
            failedAt: EpochMillis.date(millis: run.updatedAt))
        try await tx.publish(EventTypes.pipelineAutomationFailed, firmID: job.firmId, payload: event)
    }
}
