import AtriumRuntime
import Foundation

/// A row of `item_templates`.
struct ItemTemplateRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var kind: String
    var name: String
    /// The name lower-cased: unique per firm and kind.
    var nameKey: String
    /// JSON of `ItemTemplateContent`.
    var content: String
    var createdBy: String
    var createdAt: Int64
    var updatedAt: Int64

    var itemKind: ItemKind? { ItemKind(rawValue: kind) }
}

/// The states of a client item: `sent`, then `paid` / `submitted` / `signed` by kind, or `cancelled`.
enum ClientItemStatus: String, Codable, Sendable {
    case sent, paid, submitted, signed, cancelled

    /// The state that completes an item of `kind`.
    static func completed(_ kind: ItemKind) -> ClientItemStatus {
        switch kind {
        case .invoice: .paid
        case .organizer: .submitted
        case .proposal, .task: .signed
        }
    }
}

/// A row of `client_items`: an invoice, organizer or proposal sent to an account, linked to a job.
struct ClientItemRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var accountId: String
    var jobId: String
    /// The job's stage entry the item was made in (or carried to); nil once unlinked.
    var entryId: String?
    var templateId: String
    /// The automation runner's key: one item per key.
    var creationKey: String
    var kind: String
    var status: String
    var name: String
    /// JSON of `ItemTemplateContent`, copied from the template when the item was made.
    var content: String
    /// JSON of `[OrganizerAnswer]` (organizers).
    var answers: String?
    /// An invoice's total and what has been paid of it; 0 for other kinds.
    var totalMinor: Int64
    var paidMinor: Int64
    var currency: String?
    var signedName: String?
    var completedAt: Int64?
    var completedBy: String?
    var cancelledAt: Int64?
    var cancelledBy: String?
    var createdAt: Int64
    var updatedAt: Int64
    /// Reminders while it is unfinished: every this many days, at most `reminderMax` times; nil: none.
    var reminderEveryDays: Int64?
    var reminderMax: Int64?
    var remindersSent: Int64

    var itemKind: ItemKind { ItemKind(rawValue: kind) ?? .invoice }
    var itemStatus: ClientItemStatus { ClientItemStatus(rawValue: status) ?? .sent }
    var decodedContent: ItemTemplateContent { (try? ItemTemplateContent.decode(content)) ?? ItemTemplateContent() }
    var decodedAnswers: [OrganizerAnswer] {
        answers.flatMap { try? JSONDecoder().decode([OrganizerAnswer].self, from: Data($0.utf8)) } ?? []
    }
}

/// A row of `item_payments`: money received against an invoice.
struct PaymentRecord: Codable, Sendable, Equatable {
    var id: String
    var itemId: String
    var amountMinor: Int64
    var currency: String
    var method: String
    var note: String?
    /// `team` (recorded by a team member) or `provider` (the payment provider's webhook).
    var source: String
    var providerPaymentId: String?
    var recordedBy: String?
    var recordedAt: Int64
}

/// The states of a team task.
enum TeamTaskStatus: String, Codable, Sendable {
    case open, done, cancelled
}

/// A row of `team_tasks`: work for the firm's team, linked to a job.
struct TeamTaskRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var accountId: String
    var jobId: String
    var entryId: String?
    var templateId: String
    var creationKey: String
    var status: String
    var title: String
    var description: String
    /// JSON array of member ids.
    var assigneeIds: String
    var dueAt: Int64?
    var blocksAutomove: Int64
    var completedAt: Int64?
    var completedBy: String?
    var createdAt: Int64
    var updatedAt: Int64

    var taskStatus: TeamTaskStatus { TeamTaskStatus(rawValue: status) ?? .open }
    var assignees: [String] { (try? JSONDecoder().decode([String].self, from: Data(assigneeIds.utf8))) ?? [] }
}

/// Where a job is, as the automation runner knows it: the job, the stage entry it is in, and
/// whose it is. Items made for it are linked to both `jobID` and `entryID`.
public struct JobRef: Sendable, Equatable {
    public var jobID: String
    public var entryID: String
    public var firmID: String
    public var accountID: String

    public init(jobID: String, entryID: String, firmID: String, accountID: String) {
        self.jobID = jobID
        self.entryID = entryID
        self.firmID = firmID
        self.accountID = accountID
    }
}

/// What `ItemStore.create` made (or had made before under the same key).
enum CreatedItem: Sendable, Equatable {
    case client(ClientItemRecord)
    case task(TeamTaskRecord)

    var id: String {
        switch self {
        case .client(let item): item.id
        case .task(let task): task.id
        }
    }

    var kind: ItemKind {
        switch self {
        case .client(let item): item.itemKind
        case .task: .task
        }
    }
}

/// An unfinished item that holds a job in its stage.
struct BlockingItem: Sendable, Equatable {
    var id: String
    var kind: ItemKind
    var status: String
}

/// How many unfinished items of each kind a job has linked to a stage entry (its board card).
struct PendingCounts: Sendable, Equatable {
    var invoices = 0
    var organizers = 0
    var proposals = 0
    /// Open team tasks, blocking or not.
    var tasks = 0

    var total: Int { invoices + organizers + proposals + tasks }
}
