import AtriumRuntime
import Contracts
import Foundation
import PipelineAPI

/// The state changes of client items and team tasks. Each runs inside the caller's outbox
/// transaction on a row it has locked, and a completion or reopening publishes its event and asks
/// automove to look at the job (`AutomoveSignal.check`) in that same transaction.
struct ItemLifecycle: Sendable {
    let store: ItemStore

    /// Saves `answers` (already checked) on an organizer still `sent`.
    func saveAnswers(_ answers: [OrganizerAnswer], on item: ClientItemRecord, on tx: OutboxTransaction) async throws -> ClientItemRecord {
        var item = item
        try requireSent(item, kind: .organizer, doing: "take answers")
        item.answers = String(decoding: try JSONEncoder().encode(answers), as: UTF8.self)
        item.updatedAt = EpochMillis.now()
        try await store.save(item, on: tx.sql)
        return item
    }

    /// Submits an organizer: every required question answered; the answers are frozen after.
    func submit(_ item: ClientItemRecord, by contact: String, on tx: OutboxTransaction) async throws -> ClientItemRecord {
        try requireSent(item, kind: .organizer, doing: "be submitted")
        let missing = OrganizerRules.unanswered(item.decodedAnswers, for: item.decodedContent.organizer ?? OrganizerContent(title: "", questions: []))
        guard missing.isEmpty else {
            throw PipelineError.conflict("Required questions are unanswered: \(missing.joined(separator: ", ")).")
        }
        return try await complete(item, by: contact, on: tx)
    }

    /// Signs a proposal with the contact's typed name.
    func sign(_ item: ClientItemRecord, typedName: String, by contact: String, on tx: OutboxTransaction) async throws -> ClientItemRecord {
        try requireSent(item, kind: .proposal, doing: "be signed")
        var item = item
        item.signedName = typedName
        return try await complete(item, by: contact, on: tx)
    }

    /// Records a payment of an invoice still `sent`; it becomes `paid` once the payments reach its
    /// total. False (and nothing changed) when the provider's payment id was recorded before.
    func pay(_ item: ClientItemRecord, _ payment: PaymentRecord, on tx: OutboxTransaction) async throws -> (ClientItemRecord, Bool) {
        try requireSent(item, kind: .invoice, doing: "take payments")
        guard payment.currency == item.currency else {
            throw PipelineError.conflict("The invoice is in \(item.currency ?? "?"), not \(payment.currency).")
        }
        guard try await store.insertPayment(payment, on: tx.sql) else { return (item, false) }
        var item = item
        item.paidMinor += payment.amountMinor
        item.updatedAt = payment.recordedAt
        guard item.paidMinor >= item.totalMinor else {
            try await store.save(item, on: tx.sql)
            return (item, true)
        }
        return (try await complete(item, by: payment.recordedBy ?? "payment-provider", on: tx), true)
    }

    /// Cancels an item still `sent` (the team's decision, or a job moved on with "cancel them").
    func cancel(_ item: ClientItemRecord, by actor: String, on tx: OutboxTransaction) async throws -> ClientItemRecord {
        guard item.itemStatus == .sent else { throw PipelineError.itemState("The \(item.kind) is \(item.status); only a sent one can be cancelled.") }
        var item = item
        let now = EpochMillis.now()
        item.status = ClientItemStatus.cancelled.rawValue
        item.cancelledAt = now
        item.cancelledBy = actor
        item.updatedAt = now
        try await store.save(item, on: tx.sql)
        try await tx.publish(EventTypes.pipelineItemCancelled, firmID: item.firmId, payload: event(item, by: actor, at: now))
        try await AutomoveSignal.check(job: item.jobId, on: tx)
        return item
    }

    /// Marks an open team task done.
    func complete(task: TeamTaskRecord, by member: String, on tx: OutboxTransaction) async throws -> TeamTaskRecord {
        guard task.taskStatus == .open else { throw PipelineError.itemState("The task is \(task.status); only an open one can be completed.") }
        var task = task
        let now = EpochMillis.now()
        task.status = TeamTaskStatus.done.rawValue
        task.completedAt = now
        task.completedBy = member
        task.updatedAt = now
        return try await announce(task, EventTypes.pipelineTaskCompleted, by: member, at: now, on: tx)
    }

    /// Opens a done team task again.
    func reopen(task: TeamTaskRecord, by member: String, on tx: OutboxTransaction) async throws -> TeamTaskRecord {
        guard task.taskStatus == .done else { throw PipelineError.itemState("The task is \(task.status); only a done one can be reopened.") }
        var task = task
        let now = EpochMillis.now()
        task.status = TeamTaskStatus.open.rawValue
        task.completedAt = nil
        task.completedBy = nil
        task.updatedAt = now
        return try await announce(task, EventTypes.pipelineTaskReopened, by: member, at: now, on: tx)
    }

    // MARK: Helpers

    private func requireSent(_ item: ClientItemRecord, kind: ItemKind, doing: String) throws {
        guard item.itemKind == kind else { throw PipelineError.itemState("The item is of kind \(item.kind); only an item of kind \(kind.rawValue) can \(doing).") }
        guard item.itemStatus == .sent else { throw PipelineError.itemState("The \(item.kind) is \(item.status); it can no longer \(doing).") }
    }

    /// `item` in its kind's completed state, saved, announced, and automove asked to look.
    private func complete(_ item: ClientItemRecord, by actor: String, on tx: OutboxTransaction) async throws -> ClientItemRecord {
        var item = item
        let now = EpochMillis.now()
        item.status = ClientItemStatus.completed(item.itemKind).rawValue
        item.completedAt = now
        item.completedBy = actor
        item.updatedAt = now
        try await store.save(item, on: tx.sql)
        try await tx.publish(EventTypes.pipelineItemCompleted, firmID: item.firmId, payload: event(item, by: actor, at: now))
        try await AutomoveSignal.check(job: item.jobId, on: tx)
        return item
    }

    private func announce(_ task: TeamTaskRecord, _ type: String, by member: String, at now: Int64, on tx: OutboxTransaction) async throws -> TeamTaskRecord {
        try await store.save(task, on: tx.sql)
        try await tx.publish(type, firmID: task.firmId, payload: Components.Schemas.TeamTaskEvent(
            taskId: task.id, status: .init(rawValue: task.status) ?? .open, firmId: task.firmId, accountId: task.accountId, jobId: task.jobId,
            entryId: task.entryId, blocksAutomove: task.blocksAutomove != 0, by: member, at: EpochMillis.date(millis: now)))
        if task.blocksAutomove != 0 { try await AutomoveSignal.check(job: task.jobId, on: tx) }
        return task
    }

    private func event(_ item: ClientItemRecord, by actor: String, at now: Int64) -> Components.Schemas.ClientItemEvent {
        Components.Schemas.ClientItemEvent(
            itemId: item.id, kind: .init(rawValue: item.kind) ?? .invoice, status: .init(rawValue: item.status) ?? .sent, firmId: item.firmId,
            accountId: item.accountId, jobId: item.jobId, entryId: item.entryId, templateId: item.templateId, by: actor, at: EpochMillis.date(millis: now))
    }
}
