import AtriumRuntime
import Foundation
import Logging
import SQLKit

/// Runs a stage's automations for one stage entry of a job, one after another in their order
/// (SPEC: later ones may depend on earlier ones). A durable job: each automation's run is
/// recorded as it finishes, so an attempt cut off anywhere resumes at the first unfinished one;
/// each condition is read when its automation comes to run, so an earlier "update tags" counts.
///
/// A call that fails for now is retried with back-off (the run shows `failing`); one refused for
/// good stops the stage's later automations (`failed`) until a person retries. Either is
/// announced once per automation and entry (`pipeline.automation.failed`). Other jobs go on.
struct StageRunJob: Sendable {
    static let kind = JobKind<Payload>("pipeline.stage.run", maxAttempts: 12)

    struct Payload: Codable, Sendable {
        var jobID: String
        var entryID: String
    }

    let outbox: Outbox
    let jobs: JobStore
    let pipelines: PipelineStore
    let runs: AutomationRunStore
    let executor: AutomationExecutor
    let states: any ChatThreadStateRepository
    let clock: any JobClock
    let logger: Logger

    func run(_ payload: Payload, attempt: Int64, lastAttempt: Bool) async throws -> JobResult {
        let db = outbox.database.sql
        guard let job = try await jobs.job(payload.jobID, on: db), job.entryId == payload.entryID, job.status == "active" else {
            return .cancelled("The job left the stage before its automations finished.")
        }
        let recorded = try await runs.runs(entry: payload.entryID, on: db)
        var tags: Set<String>?
        for automation in try await pipelines.automations(ofStage: job.stageId, on: db) {
            let previous = recorded[automation.id]
            if previous?.finished == true { continue }
            if previous?.status == AutomationRunRecord.Status.failed.rawValue {
                return .cancelled("Automation \(automation.id) failed; a person retries the stage's automations.")
            }
            var run = AutomationRunRecord(
                entryId: payload.entryID, automationId: automation.id, jobId: job.id, stageId: job.stageId, position: automation.position,
                type: automation.type, templateId: automation.settings.templateId, status: "", outcome: nil, error: nil,
                attempts: (previous?.attempts ?? 0) + 1, updatedAt: 0)
            do {
                guard let type = automation.kind else { throw DownstreamError.refused("Unknown automation type \(automation.type).") }
                if let condition = automation.tagCondition {
                    if tags == nil { tags = try await downstream(tags: job.accountId) }
                    if !condition.admits(tags ?? []) {
                        run.status = AutomationRunRecord.Status.skipped.rawValue
                        run.outcome = "Skipped: the account's tags do not meet the condition (\(condition.match.rawValue) of \(condition.tagIds.joined(separator: ", ")))."
                        try await record(run, job: job, previous: previous)
                        continue
                    }
                }
                try await perform(automation, type: type, job: job, run: run, previous: previous)
                if type == .updateAccountTags { tags = nil }
            } catch let error as DownstreamError {
                let refused = if case .refused = error { true } else { false }
                run.status = (refused || lastAttempt ? AutomationRunRecord.Status.failed : .failing).rawValue
                run.error = error.description
                try await record(run, job: job, previous: previous)
                logger.warning("An automation failed", metadata: ["job": "\(job.id)", "automation": "\(automation.id)", "error": "\(error.description)"])
                return refused ? .dead(error.description) : .failed(error.description)
            }
        }
        let (entryID, now) = (payload.entryID, clock.now())
        try await outbox.transaction { tx in
            try await tx.sql.update("stage_entries").set("automations_done_at", to: SQLBind(now)).where("id", .equal, SQLBind(entryID)).run()
            try await AutomoveSignal.check(job: job.id, on: tx)
        }
        return .succeeded()
    }

    private func downstream(tags account: String) async throws -> Set<String> {
        guard let tags = try await executor.downstream.tags(account: account) else { throw DownstreamError.refused("The account is gone.") }
        return tags
    }

    /// Does the automation's work and records it: a remote call first (keyed, so a repeat is
    /// answered from the first), then the record; local work inside the recording transaction.
    private func perform(_ automation: AutomationRecord, type: AutomationType, job: JobRecord, run: AutomationRunRecord,
                         previous: AutomationRunRecord?) async throws {
        let key = "automation:\(run.entryId):\(automation.id)"
        var run = run
        run.status = AutomationRunRecord.Status.succeeded.rawValue
        run.error = nil
        if AutomationExecutor.isLocal(type) {
            let (executor, now) = (executor, clock.now())
            try await record(run, job: job, previous: previous) { tx in
                try await executor.local(automation, type: type, job: job, key: key, at: now, on: tx)
            }
            return
        }
        let remote = try await executor.remote(automation, type: type, job: job, key: key)
        run.outcome = remote.outcome
        // The thread's tasks as ChatService has them now, so the job's card shows them before any event arrives.
        let facts = try? await remote.threadID.asyncMap { try await executor.downstream.thread($0) } ?? nil
        let (jobs, now, entryID, states) = (jobs, clock.now(), run.entryId, states)
        try await record(run, job: job, previous: previous) { tx in
            if let facts {
                _ = try await states.record(TaskSummary(facts), at: now, on: tx.sql)
            }
            if let thread = remote.threadID {
                try await jobs.link(JobThreadRecord(jobId: job.id, threadId: thread, entryId: entryID, moverKind: Mover.Kind.automove.rawValue,
                                                    moverId: automation.id, linkedAt: now), on: tx.sql)
            }
            return remote.outcome
        }
    }

    /// Saves `run` (with `work`'s outcome, done in the same transaction) and announces a first failure.
    private func record(_ run: AutomationRunRecord, job: JobRecord, previous: AutomationRunRecord?,
                        work: (@Sendable (OutboxTransaction) async throws -> String)? = nil) async throws {
        var run = run
        run.updatedAt = clock.now()
        let runs = self.runs
        let frozen = run
        try await outbox.transaction { tx in
            var saved = frozen
            if let work { saved.outcome = try await work(tx) }
            try await runs.save(saved, on: tx.sql)
            let failing: Set<String> = [AutomationRunRecord.Status.failing.rawValue, AutomationRunRecord.Status.failed.rawValue]
            if failing.contains(saved.status), !(previous.map { failing.contains($0.status) } ?? false) {
                try await JobEvents.automationFailed(job, run: saved, on: tx)
            }
        }
    }

    /// `lease` (`pipeline.automation.lease.seconds`): how long the stage's run stays with a runner
    /// that stopped renewing it (the runner renews it while the run goes on); after a crash,
    /// another attempt takes the run up once it has run out.
    func handlers(lease: Duration) -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register(Self.kind, policy: JobRetryPolicy(base: .seconds(2), maxDelay: .seconds(600), lease: lease)) { job, payload in
            try await run(payload, attempt: job.attempt, lastAttempt: job.attempt >= job.maxAttempts)
        }
        return handlers
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
