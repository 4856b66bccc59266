import AtriumRuntime
import Foundation
import PipelineAPI

/// Team tasks made by "create task" automations: team members who may see the job's account read,
/// complete and reopen them; contacts never see them.
extension PipelineAPIHandler {
    func listJobTasks(_ input: Operations.ListJobTasks.Input) async throws -> Operations.ListJobTasks.Output {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind != .contact, "Contacts have no access to jobs.")
        try await requireVisibleJob(input.path.jobId, to: caller)
        let tasks = try await items.store.tasks(job: input.path.jobId, on: database.sql)
        return .ok(.init(body: .json(.init(items: tasks.map(\.wire)))))
    }

    func completeTeamTask(_ input: Operations.CompleteTeamTask.Input) async throws -> Operations.CompleteTeamTask.Output {
        let caller = try Self.taskWorker()
        let task = try await changeTask(input.path.taskId, caller: caller) { lifecycle, task, tx in
            try await lifecycle.complete(task: task, by: caller.subject, on: tx)
        }
        return .ok(.init(body: .json(task.wire)))
    }

    func reopenTeamTask(_ input: Operations.ReopenTeamTask.Input) async throws -> Operations.ReopenTeamTask.Output {
        let caller = try Self.taskWorker()
        let task = try await changeTask(input.path.taskId, caller: caller) { lifecycle, task, tx in
            try await lifecycle.reopen(task: task, by: caller.subject, on: tx)
        }
        return .ok(.init(body: .json(task.wire)))
    }

    static func taskWorker() throws -> Caller {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind == .member, "Only team members complete and reopen team tasks.")
        return caller
    }

    /// Runs `body` on task `id`, locked in an outbox transaction, when `caller` may see its account; else 404.
    private func changeTask(
        _ id: String, caller: Caller, _ body: @escaping @Sendable (ItemLifecycle, TeamTaskRecord, OutboxTransaction) async throws -> TeamTaskRecord
    ) async throws -> TeamTaskRecord {
        guard let task = try await items.store.task(id, on: database.sql),
            try await directory.allows(caller, account: task.accountId, firm: task.firmId) else {
            throw PipelineError.taskNotFound(id)
        }
        let (store, lifecycle) = (items.store, items.lifecycle)
        return try await items.outbox.transaction { tx in
            guard let locked = try await store.task(task.id, lock: true, on: tx.sql) else { throw PipelineError.taskNotFound(id) }
            return try await body(lifecycle, locked, tx)
        }
    }
}
