import AtriumRuntime
import Foundation
import PipelineAPI

/// A row of `pipeline_jobs`: a piece of work for one account, in one stage entry of one pipeline.
struct JobRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var accountId: String
    var pipelineId: String
    var stageId: String
    /// The current `stage_entries` row: items made or linked in it block its automove.
    var entryId: String
    var name: String
    /// JSON array of team member ids (also rows of `job_assignees`, for the board's filter).
    var assignees: String
    var priority: String
    /// `YYYY-MM-DD`, or nil.
    var startDate: String?
    var dueDate: String?
    /// `active`, `completed` or `archived`.
    var status: String
    var enteredAt: Int64
    var createdBy: String
    var createdAt: Int64
    var updatedAt: Int64
    /// `<caller>:<Idempotency-Key>` of the request that created it, when it had one.
    var creationKey: String? = nil

    /// The assignees' ids. Read on every card of a board, so parsed by hand: ids are well-formed
    /// (`mem_` and hex digits, checked on the way in), so the JSON array holds no escapes.
    var assigneeIDs: [String] {
        get {
            assignees.split(separator: ",").map { $0.filter { $0 != "[" && $0 != "]" && $0 != "\"" && $0 != " " } }.filter { !$0.isEmpty }
        }
        set { assignees = "[" + newValue.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
    }

    /// Past its due date (UTC) and still active.
    func overdue(today: String) -> Bool { status == "active" && dueDate.map { $0 < today } == true }
}

/// Who or what moved a job, linked a thread or ran a change.
struct Mover: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        case member, automove, creation, service
    }

    var kind: Kind
    var id: String?

    static let automove = Mover(kind: .automove, id: nil)

    /// The caller as a mover: a team member by id, a service by name.
    init(_ caller: Caller) {
        self.init(kind: caller.kind == .service ? .service : .member, id: caller.subject)
    }

    init(kind: Kind, id: String?) {
        self.kind = kind
        self.id = id
    }

    var wire: Components.Schemas.Mover { .init(kind: .init(rawValue: kind.rawValue) ?? .member, id: id) }
}

/// A row of `stage_entries`: one time a job entered a stage — the job's history.
struct StageEntryRecord: Codable, Sendable, Equatable {
    var id: String
    var jobId: String
    var pipelineId: String
    var stageId: String
    var fromStageId: String?
    /// 1 for the job's first stage, then one more per move.
    var number: Int64
    var moverKind: String
    var moverId: String?
    /// What became of the previous stage's unfinished items (`UnfinishedChoice`), when any were.
    var unfinished: String?
    /// JSON array of the stages skipped on the way because their condition did not admit the account.
    var skipped: String
    var enteredAt: Int64
    /// When the stage's automations had all run for this entry; automove waits for it.
    var automationsDoneAt: Int64?

    var skippedIDs: [String] { (try? JSONDecoder().decode([String].self, from: Data(skipped.utf8))) ?? [] }

    var wire: Components.Schemas.StageEntry {
        .init(id: id, pipelineId: pipelineId, stageId: stageId, fromStageId: fromStageId, number: Int(number),
              movedBy: Mover(kind: Mover.Kind(rawValue: moverKind) ?? .member, id: moverId).wire,
              unfinished: unfinished.flatMap { .init(rawValue: $0) }, skippedStageIds: skippedIDs.nilIfEmpty,
              enteredAt: EpochMillis.date(millis: enteredAt))
    }
}

/// A row of `job_threads`: a chat thread linked to a job, in the stage entry it blocks.
struct JobThreadRecord: Codable, Sendable, Equatable {
    var jobId: String
    var threadId: String
    var entryId: String
    var moverKind: String
    var moverId: String?
    var linkedAt: Int64
}

/// What becomes of a stage's unfinished items when a person moves the job on (SPEC "Automove").
enum UnfinishedChoice: String, Codable, Sendable {
    /// Linked and open, no longer blocking anything.
    case keep
    /// Blocking the new stage too.
    case carry
    /// Threads unlinked, items detached from the job.
    case unlink
    /// Threads archived, items cancelled.
    case close
}

/// Dates as the contract carries them: `YYYY-MM-DD`, UTC.
enum JobDates {
    static func today(_ now: Date = Date()) -> String { format(now) }

    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}
