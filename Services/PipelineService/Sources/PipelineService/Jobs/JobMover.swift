import AtriumRuntime
import Contracts
import Foundation
import SQLKit

/// Puts a job into a stage: a new stage entry, the job saved, the move announced and the stage's
/// automations queued — all in the caller's transaction, so a move and the work it starts exist
/// together or not at all.
struct JobMover: Sendable {
    let jobs: JobStore

    /// A job with the creating request's key exists already.
    struct AlreadyCreated: Error {}

    /// How a job came to enter a stage.
    struct Entering: Sendable {
        var stage: StageRecord
        var mover: Mover
        var skipped: [String] = []
        var unfinished: UnfinishedChoice? = nil
    }

    /// Enters `entering.stage` with `job` (locked in `tx`, or new when `previous` is nil); returns the job as saved.
    @discardableResult
    func enter(_ job: JobRecord, _ entering: Entering, previous: StageEntryRecord?, at now: Int64, on tx: OutboxTransaction) async throws -> JobRecord {
        let entry = StageEntryRecord(
            id: Identifier.make("ent"), jobId: job.id, pipelineId: entering.stage.pipelineId, stageId: entering.stage.id,
            fromStageId: previous?.stageId, number: (previous?.number ?? 0) + 1, moverKind: entering.mover.kind.rawValue,
            moverId: entering.mover.id, unfinished: entering.unfinished?.rawValue,
            skipped: String(decoding: try JSONEncoder().encode(entering.skipped), as: UTF8.self), enteredAt: now)
        var moved = job
        moved.pipelineId = entering.stage.pipelineId
        moved.stageId = entering.stage.id
        moved.entryId = entry.id
        moved.enteredAt = now
        moved.updatedAt = now
        if previous == nil {
            // First, so a repeated creating request writes nothing at all.
            guard try await jobs.insert(moved, on: tx.sql) else { throw JobMover.AlreadyCreated() }
            try await jobs.insert(entry, on: tx.sql)
            try await JobEvents.status(EventTypes.pipelineJobCreated, moved, by: entering.mover, at: now, on: tx)
        } else {
            try await jobs.insert(entry, on: tx.sql)
            try await jobs.save(moved, on: tx.sql)
            try await JobEvents.moved(moved, from: job, entry: entry, on: tx)
        }
        try await tx.enqueue(StageRunJob.kind, .init(jobID: job.id, entryID: entry.id), uniqueKey: "stage-run:\(entry.id)")
        return moved
    }
}
