import AtriumRuntime
import Foundation
import PipelineAPI

/// Chat threads linked to jobs by hand (SPEC "Automove": a thread linked by hand counts exactly
/// like one an automation linked). The link is made in ChatService too, so the thread shows it.
extension PipelineAPIHandler {
    func listJobThreadLinks(_ input: Operations.ListJobThreadLinks.Input) async throws -> Operations.ListJobThreadLinks.Output {
        let (_, job) = try await visibleJob(input.path.jobId)
        var items: [Components.Schemas.JobThread] = []
        for link in try await jobs.threads(job: job.id, on: database.sql) {
            items.append(link.wire(state: try await states.find(link.threadId, on: database.sql)))
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func linkJobThread(_ input: Operations.LinkJobThread.Input) async throws -> Operations.LinkJobThread.Output {
        let (caller, job) = try await visibleJob(input.path.jobId)
        try caller.require(caller.kind == .member, "Only team members link threads to jobs.")
        let threadID = input.path.threadId
        guard Identifier.isWellFormed(threadID, prefix: "thr") else { throw PipelineError.invalid("\(threadID.debugDescription) is not a thread id.") }
        let facts: ThreadFacts
        do {
            guard let found = try await downstream.thread(threadID), found.firmID == job.firmId else { throw PipelineError.threadNotKnown(threadID) }
            guard found.accountID == job.accountId else { throw PipelineError.conflict("Thread \(threadID) belongs to another account than the job's.") }
            try await downstream.link(thread: threadID, job: job.id)
            facts = found
        } catch let error as DownstreamError {
            throw PipelineError.unavailable("ChatService cannot link the thread now (\(error.description)); try again shortly.")
        }
        let (jobs, states, now) = (jobs, states, clock.now())
        let link = try await outbox.transaction { tx in
            guard let locked = try await jobs.job(job.id, lock: true, on: tx.sql) else { throw PipelineError.jobNotFound(job.id) }
            let existing = try await jobs.threads(job: job.id, on: tx.sql).first { $0.threadId == threadID }
            let link = existing ?? JobThreadRecord(jobId: job.id, threadId: threadID, entryId: locked.entryId, moverKind: Mover.Kind.member.rawValue,
                                                   moverId: caller.subject, linkedAt: now)
            if existing == nil { try await jobs.link(link, on: tx.sql) }
            // What ChatService says now, so automove need not wait for an event that was sent before the link.
            _ = try await states.record(TaskSummary(facts), at: now, on: tx.sql)
            try await AutomoveSignal.check(job: job.id, on: tx)
            return link
        }
        return .ok(.init(body: .json(link.wire(state: try await states.find(threadID, on: database.sql)))))
    }

    func unlinkJobThread(_ input: Operations.UnlinkJobThread.Input) async throws -> Operations.UnlinkJobThread.Output {
        let (caller, job) = try await visibleJob(input.path.jobId)
        try caller.require(caller.kind == .member, "Only team members unlink threads from jobs.")
        do {
            try await downstream.unlink(thread: input.path.threadId, job: job.id)
        } catch let error as DownstreamError {
            throw PipelineError.unavailable("ChatService cannot unlink the thread now (\(error.description)); try again shortly.")
        }
        let (jobs, threadID, now) = (jobs, input.path.threadId, clock.now())
        try await outbox.transaction { tx in
            try await jobs.unlink(job: job.id, thread: threadID, at: now, on: tx.sql)
            // The thread may have been all that held the stage back.
            try await AutomoveSignal.check(job: job.id, on: tx)
        }
        return .noContent(.init())
    }
}

extension JobThreadRecord {
    func wire(state: ChatThreadState?) -> Components.Schemas.JobThread {
        .init(jobId: jobId, threadId: threadId, entryId: entryId, linkedBy: Mover(kind: Mover.Kind(rawValue: moverKind) ?? .member, id: moverId).wire,
              linkedAt: EpochMillis.date(millis: linkedAt), completedTasks: Int(state?.completedTasks ?? 0), totalTasks: Int(state?.totalTasks ?? 0),
              complete: state?.complete == 1)
    }
}
