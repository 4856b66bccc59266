import AtriumRuntime
import Contracts
import Foundation
import PipelineAPI

/// Jobs (SPEC "Pipelines"): who may see a job follows who may see its account; contacts never.
extension PipelineAPIHandler {
    func createJob(_ input: Operations.CreateJob.Input) async throws -> Operations.CreateJob.Output {
        guard case .json(let draft) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind == .member && caller.portalView == nil, "Only team members create jobs.")
        let name = try StageRules.name(draft.name, field: "name")
        let assignees = try JobRules.assignees(draft.assigneeIds ?? [])
        let (start, due) = (try JobRules.date(draft.startDate, field: "startDate"), try JobRules.date(draft.dueDate, field: "dueDate"))
        try JobRules.checkOrder(start: start, due: due)
        guard let grant = try await directory.grant(for: draft.accountId, visibleTo: caller) else {
            throw PipelineError.invalid("No account \(draft.accountId) that you can see.")
        }
        guard let model = try await pipelines.model(draft.pipelineId, on: database.sql), model.pipeline.firmId == grant.firmID else {
            throw PipelineError.pipelineNotFound(draft.pipelineId)
        }
        let tags = try await accountTags(grant.accountID)
        guard let first = StageRouting.firstAdmitting(model.stages, from: 0, tags: tags) else {
            throw PipelineError.conflict("No stage of \(model.pipeline.name) admits this account's tags.")
        }
        let now = clock.now()
        var job = JobRecord(id: Identifier.make("job"), firmId: grant.firmID, accountId: grant.accountID, pipelineId: model.pipeline.id,
                            stageId: first.stage.id, entryId: "", name: name, assignees: "[]", priority: draft.priority?.rawValue ?? "normal",
                            startDate: start, dueDate: due, status: "active", enteredAt: now, createdBy: caller.subject, createdAt: now, updatedAt: now)
        job.assigneeIDs = assignees
        job.creationKey = input.headers.idempotencyKey.map { "\(caller.subject):\($0)" }
        if let key = job.creationKey, let existing = try await jobs.job(creationKey: key, on: database.sql) {
            return .created(.init(body: .json(try await views.wire([existing], withFailures: true, on: database.sql)[0])))
        }
        let (mover, frozen) = (self.mover, job)
        let created: JobRecord
        do {
            created = try await outbox.transaction { tx in
                try await mover.enter(frozen, .init(stage: first.stage, mover: Mover(kind: .creation, id: caller.subject), skipped: first.skipped),
                                      previous: nil, at: now, on: tx)
            }
        } catch is JobMover.AlreadyCreated {
            // The same request, racing or retried after a crash: the first one's job.
            guard let key = frozen.creationKey, let existing = try await jobs.job(creationKey: key, on: database.sql) else { throw PipelineError.conflict("The job was made meanwhile; look again.") }
            created = existing
        }
        return .created(.init(body: .json(try await views.wire([created], withFailures: true, on: database.sql)[0])))
    }

    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        let (_, job) = try await visibleJob(input.path.jobId)
        return .ok(.init(body: .json(try await views.wire([job], withFailures: true, on: database.sql)[0])))
    }

    func listJobs(_ input: Operations.ListJobs.Input) async throws -> Operations.ListJobs.Output {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind != .contact && caller.portalView == nil, "Contacts have no access to jobs.")
        guard try await directory.grant(for: input.query.accountId, visibleTo: caller) != nil else {
            throw PipelineError.invalid("No account \(input.query.accountId) that you can see.")
        }
        let found = try await jobs.jobs(account: input.query.accountId, status: input.query.status?.rawValue, on: database.sql)
        return .ok(.init(body: .json(.init(items: try await views.wire(found, on: database.sql)))))
    }

    func updateJob(_ input: Operations.UpdateJob.Input) async throws -> Operations.UpdateJob.Output {
        guard case .json(let change) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (caller, _) = try await visibleJob(input.path.jobId)
        try caller.require(caller.kind == .member, "Only team members edit jobs.")
        let name = try change.name.map { try StageRules.name($0, field: "name") }
        let assignees = try change.assigneeIds.map(JobRules.assignees)
        let (start, due) = (try JobRules.date(change.startDate, field: "startDate"), try JobRules.date(change.dueDate, field: "dueDate"))
        guard !(start != nil && change.clearStartDate == true), !(due != nil && change.clearDueDate == true) else {
            throw PipelineError.invalid("Give a date or clear it, not both.")
        }
        let (jobs, id, now) = (jobs, input.path.jobId, clock.now())
        let saved = try await database.transaction { tx in
            guard var job = try await jobs.job(id, lock: true, on: tx) else { throw PipelineError.jobNotFound(id) }
            if let name { job.name = name }
            if let assignees { job.assigneeIDs = assignees }
            if let priority = change.priority { job.priority = priority.rawValue }
            if let start { job.startDate = start }
            if let due { job.dueDate = due }
            if change.clearStartDate == true { job.startDate = nil }
            if change.clearDueDate == true { job.dueDate = nil }
            try JobRules.checkOrder(start: job.startDate, due: job.dueDate)
            job.updatedAt = now
            try await jobs.save(job, on: tx)
            return job
        }
        return .ok(.init(body: .json(try await views.wire([saved], withFailures: true, on: database.sql)[0])))
    }

    func setJobStatus(_ input: Operations.SetJobStatus.Input) async throws -> Operations.SetJobStatus.Output {
        guard case .json(let change) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (caller, _) = try await visibleJob(input.path.jobId)
        try caller.require(caller.kind == .member, "Only team members complete or archive jobs.")
        let (jobs, id, now, status) = (jobs, input.path.jobId, clock.now(), change.status.rawValue)
        let saved = try await outbox.transaction { tx in
            guard var job = try await jobs.job(id, lock: true, on: tx.sql) else { throw PipelineError.jobNotFound(id) }
            guard job.status != status else { return job }
            job.status = status
            job.updatedAt = now
            try await jobs.save(job, on: tx.sql)
            switch change.status {
            case .completed: try await JobEvents.status(EventTypes.pipelineJobCompleted, job, by: Mover(caller), at: now, on: tx)
            case .archived: try await JobEvents.status(EventTypes.pipelineJobArchived, job, by: Mover(caller), at: now, on: tx)
            case .active: try await AutomoveSignal.check(job: job.id, on: tx)
            }
            return job
        }
        return .ok(.init(body: .json(try await views.wire([saved], withFailures: true, on: database.sql)[0])))
    }

    func getJobHistory(_ input: Operations.GetJobHistory.Input) async throws -> Operations.GetJobHistory.Output {
        let (_, job) = try await visibleJob(input.path.jobId)
        return .ok(.init(body: .json(.init(items: try await jobs.entries(job: job.id, on: database.sql).map(\.wire)))))
    }

    func listAutomationRuns(_ input: Operations.ListAutomationRuns.Input) async throws -> Operations.ListAutomationRuns.Output {
        let (_, job) = try await visibleJob(input.path.jobId)
        return .ok(.init(body: .json(.init(items: try await runs.runs(job: job.id, on: database.sql).map(\.wire)))))
    }

    /// The account's tags now, from AccountService; a 503 when it cannot be asked.
    func accountTags(_ account: String) async throws -> Set<String> {
        do {
            guard let tags = try await downstream.tags(account: account) else { throw PipelineError.invalid("No account \(account).") }
            return tags
        } catch let error as DownstreamError {
            throw PipelineError.unavailable("The account's tags cannot be read now (\(error.description)); try again shortly.")
        }
    }
}

extension PipelineAPIHandler {
    func retryAutomations(_ input: Operations.RetryAutomations.Input) async throws -> Operations.RetryAutomations.Output {
        let (caller, job) = try await visibleJob(input.path.jobId)
        try caller.require(caller.kind == .member, "Only team members retry automations.")
        let (jobs, runs, now) = (jobs, runs, clock.now())
        let retried = try await outbox.transaction { tx in
            guard let locked = try await jobs.job(job.id, lock: true, on: tx.sql), locked.entryId == job.entryId, locked.status == "active" else {
                throw PipelineError.conflict("The job left the stage; nothing to retry.")
            }
            let failed = try await runs.runs(entry: locked.entryId, on: tx.sql).values.filter { $0.status == AutomationRunRecord.Status.failed.rawValue }
            guard !failed.isEmpty else { throw PipelineError.conflict("No automation of the job's stage has failed.") }
            for var run in failed {
                run.status = AutomationRunRecord.Status.failing.rawValue
                run.updatedAt = now
                try await runs.save(run, on: tx.sql)
            }
            let attempt = failed.map(\.attempts).max() ?? 0
            try await tx.enqueue(StageRunJob.kind, .init(jobID: locked.id, entryID: locked.entryId), uniqueKey: "stage-run:\(locked.entryId):retry:\(attempt)")
            return try await runs.runs(job: locked.id, on: tx.sql)
        }
        return .accepted(.init(body: .json(.init(items: retried.map(\.wire)))))
    }
}
