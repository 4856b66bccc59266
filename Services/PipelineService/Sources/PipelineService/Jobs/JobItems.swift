import AtriumRuntime
import SQLKit

/// A job's own client items and team tasks, as jobs and automove see them. Kept behind a protocol
/// so the jobs do not depend on how items are stored (`StoredJobItems`).
protocol JobItems: Sendable {
    /// The unfinished blocking items of each stage entry named, for cards and for automove.
    func blocking(entryIDs: [String], on db: any SQLDatabase) async throws -> [String: [PendingWork]]
    /// How many blocking items the entry holds, done or not (a stage with none never automoves).
    func blockingTotal(jobID: String, entryID: String, on db: any SQLDatabase) async throws -> Int
    /// Makes the open items of `from` block `to` instead (the "carry" choice).
    func carry(jobID: String, from: String, to: String, on tx: OutboxTransaction) async throws
    /// Cancels the open items of the entry (the "close" choice).
    func cancelOpen(jobID: String, entryID: String, by actor: String, on tx: OutboxTransaction) async throws
    /// Detaches the open items of the entry from the job (the "unlink" choice).
    func unlinkOpen(jobID: String, entryID: String, on tx: OutboxTransaction) async throws
    /// The "create invoice / organizer / task" and "send proposal" automations: makes the item
    /// from `templateID` for the job's current entry, once per `key`; returns what it made.
    func create(_ type: AutomationType, templateID: String, job: JobRecord, reminders: AutomationConfig.Reminders?, key: String,
                on tx: OutboxTransaction) async throws -> String
}

/// One unfinished thing of a stage: a thread with open client tasks or an item.
struct PendingWork: Sendable, Equatable {
    enum Kind: String, Sendable {
        case thread, invoice, organizer, proposal, task
    }

    var kind: Kind
    var id: String
    var title: String
    var done: Int?
    var total: Int?

    var description: String {
        switch kind {
        case .thread: "thread \(id) \"\(title)\" (\(done ?? 0) of \(total ?? 0) tasks done)"
        default: "\(kind.rawValue) \(id) \"\(title)\""
        }
    }
}
