import AtriumRuntime
import Foundation
import Logging

/// Moves a job to its next stage when the stage's automove is on and every blocking item linked
/// in its current entry is done (SPEC "Automove"): each thread's client tasks all checked — asked
/// of ChatService again, not only as last heard — and each of the job's own items finished. A
/// thread without client tasks blocks nothing; a stage with nothing blocking never automoves.
///
/// The move itself happens with the job locked and only if it is still in the entry that was
/// checked, so duplicated, reordered or late signals never move a job twice or backwards.
struct AutomoveCheckJob: Sendable {
    static let kind = JobKind<Payload>("pipeline.automove.check", maxAttempts: 20)

    struct Payload: Codable, Sendable {
        var jobID: String
    }

    let outbox: Outbox
    let jobs: JobStore
    let pipelines: PipelineStore
    let items: any JobItems
    let states: any ChatThreadStateRepository
    let downstream: any PipelineDownstream
    let mover: JobMover
    let clock: any JobClock
    let logger: Logger

    func run(_ payload: Payload) async throws -> JobResult {
        let db = outbox.database.sql
        guard let job = try await jobs.job(payload.jobID, on: db), job.status == "active",
              let entry = try await jobs.entry(job.entryId, on: db), entry.automationsDoneAt != nil,
              let model = try await pipelines.model(job.pipelineId, on: db),
              let index = model.stages.firstIndex(where: { $0.id == job.stageId }), model.stages[index].automove != 0 else {
            return .succeeded()
        }
        guard try await items.blocking(entryIDs: [entry.id], on: db)[entry.id, default: []].isEmpty else { return .succeeded() }
        var blocking = try await items.blockingTotal(jobID: job.id, entryID: entry.id, on: db)
        for link in try await jobs.threads(entry: entry.id, on: db) {
            // As last heard, still open: its completion event will ask again, so ChatService need not be asked now.
            if let heard = try await states.find(link.threadId, on: db), heard.totalTasks > 0, heard.complete == 0 { return .succeeded() }
            do {
                guard let thread = try await downstream.thread(link.threadId), thread.totalTasks > 0 else { continue }
                if thread.blocks { return .succeeded() }
                blocking += 1
            } catch let error as DownstreamError {
                return .failed(error.description)
            }
        }
        // Nothing asked of the client: the stage waits for a person (SPEC).
        guard blocking > 0 else { return .succeeded() }
        let tags: Set<String>
        do {
            guard let found = try await downstream.tags(account: job.accountId) else { return .cancelled("The account is gone.") }
            tags = found
        } catch let error as DownstreamError {
            return .failed(error.description)
        }
        guard let next = StageRouting.firstAdmitting(model.stages, from: index + 1, tags: tags) else { return .succeeded() }
        let (jobs, mover, now) = (jobs, mover, clock.now())
        let moved = try await outbox.transaction { tx -> Bool in
            guard let locked = try await jobs.job(job.id, lock: true, on: tx.sql), locked.entryId == entry.id, locked.status == "active" else {
                return false
            }
            try await mover.enter(locked, .init(stage: next.stage, mover: .automove, skipped: next.skipped), previous: entry, at: now, on: tx)
            return true
        }
        if moved { logger.info("Automove", metadata: ["job": "\(job.id)", "to": "\(next.stage.id)"]) }
        return .succeeded()
    }

    func handlers() -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register(Self.kind, policy: JobRetryPolicy(base: .seconds(1), maxDelay: .seconds(300))) { _, payload in try await run(payload) }
        return handlers
    }
}
