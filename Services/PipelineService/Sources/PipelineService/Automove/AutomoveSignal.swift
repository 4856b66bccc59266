import AtriumRuntime
import SQLKit

/// How anything that completes or reopens a job's blocking item tells automove to look again.
///
/// Called inside the transaction that changed the item, so the check exists exactly when the
/// change committed; checking twice is harmless (a check only moves a job whose current stage
/// entry is still the one it was asked about and whose items are all done).
enum AutomoveSignal {
    /// Asks for `job` to be checked once this transaction commits.
    static func check(job jobID: String, on tx: OutboxTransaction) async throws {
        try await tx.enqueue(AutomoveCheckJob.kind, .init(jobID: jobID))
    }

    /// The same, from a webhook inbox's transaction (the caller wakes the runner after commit).
    static func check(job jobID: String, on sql: any SQLDatabase) async throws {
        try await JobQueue.enqueue(AutomoveCheckJob.kind, .init(jobID: jobID), in: sql)
    }
}
