import AtriumRuntime
import Foundation
import PipelineAPI
import SQLKit

/// Moving a job by hand (SPEC "Automove": a person who moves a job with unfinished items says
/// what becomes of them).
extension PipelineAPIHandler {
    func moveJob(_ input: Operations.MoveJob.Input) async throws -> Operations.MoveJob.Output {
        guard case .json(let body) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (caller, job) = try await visibleJob(input.path.jobId)
        try caller.require(caller.kind == .member, "Only team members move jobs by hand.")
        guard job.status == "active" else { throw PipelineError.conflict("The job is \(job.status); reopen it to move it.") }
        let pipelineID = body.pipelineId ?? job.pipelineId
        guard let model = try await pipelines.model(pipelineID, on: database.sql), model.pipeline.firmId == job.firmId else {
            throw PipelineError.pipelineNotFound(pipelineID)
        }
        guard let target = model.stages.first(where: { $0.id == body.stageId }) else { throw PipelineError.stageNotFound(body.stageId) }
        guard target.id != job.stageId else { throw PipelineError.conflict("The job is in \(target.name) already.") }
        let unfinished = try await unfinishedWork(of: job)
        let choice = body.unfinished.flatMap { UnfinishedChoice(rawValue: $0.rawValue) }
        if !unfinished.isEmpty, choice == nil {
            throw PipelineError.conflict("""
                \(unfinished.count) unfinished item\(unfinished.count == 1 ? "" : "s") in this stage: \
                \(unfinished.map(\.description).joined(separator: "; ")). Say what becomes of them with unfinished: \
                keep (linked and open), carry (they block the new stage too), unlink, or close (threads archived, items cancelled).
                """)
        }
        let moved = try await move(job, to: target, by: Mover(caller), unfinished: unfinished.isEmpty ? nil : choice, work: unfinished)
        return .ok(.init(body: .json(try await views.wire([moved], withFailures: true, on: database.sql)[0])))
    }

    /// The current stage's unfinished items: its threads' open client tasks asked of ChatService, and the job's own items.
    func unfinishedWork(of job: JobRecord) async throws -> [PendingWork] {
        var work: [PendingWork] = []
        do {
            for link in try await jobs.threads(entry: job.entryId, on: database.sql) {
                guard let thread = try await downstream.thread(link.threadId), thread.blocks, !thread.archived else { continue }
                work.append(PendingWork(kind: .thread, id: thread.id, title: thread.subject, done: thread.completedTasks, total: thread.totalTasks))
            }
        } catch let error as DownstreamError {
            throw PipelineError.unavailable("The job's threads cannot be checked now (\(error.description)); try again shortly.")
        }
        return work + (try await jobItems.blocking(entryIDs: [job.entryId], on: database.sql)[job.entryId] ?? [])
    }

    /// Enters `target` with `job`, doing what `choice` says with the unfinished `work` of the stage it leaves.
    func move(_ job: JobRecord, to target: StageRecord, by mover: Mover, unfinished choice: UnfinishedChoice?, work: [PendingWork]) async throws -> JobRecord {
        let (jobs, items, jobMover, now) = (jobs, jobItems, self.mover, clock.now())
        let threads = work.filter { $0.kind == .thread }.map(\.id)
        return try await outbox.transaction { tx in
            guard let locked = try await jobs.job(job.id, lock: true, on: tx.sql), locked.entryId == job.entryId else {
                throw PipelineError.conflict("The job moved meanwhile; look again.")
            }
            guard let previous = try await jobs.entry(locked.entryId, on: tx.sql) else { throw PipelineError.jobNotFound(job.id) }
            let moved = try await jobMover.enter(locked, .init(stage: target, mover: mover, unfinished: choice), previous: previous, at: now, on: tx)
            switch choice {
            case .carry?:
                for thread in threads {
                    try await jobs.link(JobThreadRecord(jobId: job.id, threadId: thread, entryId: moved.entryId, moverKind: mover.kind.rawValue,
                                                        moverId: mover.id, linkedAt: now), on: tx.sql)
                }
                try await items.carry(jobID: job.id, from: previous.id, to: moved.entryId, on: tx)
            case .unlink?:
                for thread in threads { try await jobs.unlink(job: job.id, thread: thread, at: now, on: tx.sql) }
                try await items.unlinkOpen(jobID: job.id, entryID: previous.id, on: tx)
            case .close?:
                try await items.cancelOpen(jobID: job.id, entryID: previous.id, by: mover.id ?? mover.kind.rawValue, on: tx)
            case .keep?, nil:
                break
            }
            if let choice, choice == .unlink || choice == .close, !threads.isEmpty {
                try await tx.enqueue(ThreadReleaseJob.kind, .init(jobID: job.id, threadIDs: threads, choice: choice.rawValue),
                                     uniqueKey: "thread-release:\(moved.entryId)")
            }
            return moved
        }
    }
}
