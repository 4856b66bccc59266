import AtriumRuntime
import Foundation
import PipelineAPI
import SQLKit

/// Jobs as the API shows them, each with the unfinished items of its current stage — read for
/// a whole page at once (one query for threads, one for items), not job by job.
struct JobViews: Sendable {
    let items: any JobItems
    let runs: AutomationRunStore

    func wire(_ jobs: [JobRecord], withFailures: Bool = false, on db: any SQLDatabase) async throws -> [Components.Schemas.Job] {
        guard !jobs.isEmpty else { return [] }
        let entries = jobs.map(\.entryId)
        var pending = try await items.blocking(entryIDs: entries, on: db)
        for (entry, work) in try await Self.openThreads(entries: entries, on: db) { pending[entry, default: []].insert(contentsOf: work, at: 0) }
        let today = JobDates.today()
        var result: [Components.Schemas.Job] = []
        for job in jobs {
            let failing = withFailures ? try await runs.failing(entry: job.entryId, on: db) : nil
            result.append(job.wire(pending: pending[job.entryId] ?? [], today: today, failing: failing))
        }
        return result
    }

    /// The threads linked in each entry whose client tasks, as last heard, are not all checked.
    static func openThreads(entries: [String], on db: any SQLDatabase) async throws -> [String: [PendingWork]] {
        struct Row: Decodable {
            var entryId: String
            var threadId: String
            var completedTasks: Int
            var totalTasks: Int
        }
        let rows = try await db.select().column(SQLColumn("entry_id", table: "t")).column(SQLColumn("thread_id", table: "t"))
            .column(SQLColumn("completed_tasks", table: "s")).column(SQLColumn("total_tasks", table: "s"))
            .from(SQLAlias(SQLIdentifier("job_threads"), as: SQLIdentifier("t")))
            .join(SQLAlias(SQLIdentifier("chat_thread_states"), as: SQLIdentifier("s")), method: SQLJoinMethod.inner,
                  on: SQLColumn("thread_id", table: "s"), .equal, SQLColumn("thread_id", table: "t"))
            .where(SQLColumn("entry_id", table: "t"), .in, SQLBind.group(entries))
            .where(SQLColumn("total_tasks", table: "s"), .greaterThan, SQLBind(0))
            .where(SQLColumn("complete", table: "s"), .equal, SQLBind(0))
            .all(decoding: Row.self, keyDecodingStrategy: .snakeCaseColumns)
        return Dictionary(grouping: rows, by: \.entryId).mapValues { rows in
            rows.map { PendingWork(kind: .thread, id: $0.threadId, title: "Client tasks", done: $0.completedTasks, total: $0.totalTasks) }
        }
    }
}

extension JobRecord {
    func wire(pending: [PendingWork], today: String, failing: Int?) -> Components.Schemas.Job {
        .init(id: id, accountId: accountId, pipelineId: pipelineId, stageId: stageId, entryId: entryId, name: name, assigneeIds: assigneeIDs,
              priority: .init(rawValue: priority) ?? .normal, startDate: startDate, dueDate: dueDate, status: .init(rawValue: status) ?? .active,
              overdue: overdue(today: today), enteredAt: EpochMillis.date(millis: enteredAt), createdAt: EpochMillis.date(millis: createdAt),
              updatedAt: EpochMillis.date(millis: updatedAt),
              pending: pending.map { .init(kind: .init(rawValue: $0.kind.rawValue) ?? .thread, id: $0.id, title: $0.title, done: $0.done, total: $0.total) },
              failingAutomations: failing)
    }
}
