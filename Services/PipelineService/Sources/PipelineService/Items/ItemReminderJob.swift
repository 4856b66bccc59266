import AtriumRuntime
import Contracts
import Foundation
import PipelineAPI

/// How often the client is reminded of an unfinished item: every `everyDays` days, at most
/// `maxCount` times (SPEC "Pipelines": reminders on invoice, organizer and proposal automations).
struct ReminderPlan: Sendable, Equatable {
    var everyDays: Int
    var maxCount: Int

    /// 1 to 365 days apart, 1 to 20 reminders.
    func check() throws {
        guard (1...365).contains(everyDays) else { throw PipelineError.invalid("reminders.everyDays must be 1 to 365.") }
        guard (1...20).contains(maxCount) else { throw PipelineError.invalid("reminders.maxCount must be 1 to 20.") }
    }
}

/// The reminders of an unfinished client item, as durable jobs on the runtime's queue: reminder
/// `n` is a job due `everyDays` after the one before (or after the item was sent), unique per item
/// and number. When it runs while the item is still `sent`, it publishes
/// `pipeline.item.reminder_due` (NotifyService's to e-mail the account's contacts) and schedules
/// the next, up to the plan's count; an item done or cancelled meanwhile ends the chain.
struct ItemReminderJob: Sendable {
    struct Due: Codable, Sendable, Equatable {
        var itemId: String
        var number: Int
    }

    static let kind = JobKind<Due>("pipeline.item.reminder", maxAttempts: 10)

    let outbox: Outbox
    let store: ItemStore
    let clock: any JobClock

    /// Enqueues reminder `number` of `itemID`, `every` days after `now`.
    static func schedule(_ itemID: String, number: Int, every days: Int, from now: Int64, on tx: OutboxTransaction) async throws {
        try await tx.enqueue(kind, Due(itemId: itemID, number: number), runAt: now + Int64(days) * 86_400_000,
                             uniqueKey: "\(kind.name):\(itemID):\(number)")
    }

    /// Sends reminder `due` if the item still waits for the client, and schedules the next.
    func run(_ due: Due) async throws -> JobResult {
        let (store, now) = (store, clock.now())
        return try await outbox.transaction { tx in
            guard var item = try await store.item(due.itemId, lock: true, on: tx.sql) else { return .cancelled("The item is gone.") }
            guard item.itemStatus == .sent, let every = item.reminderEveryDays, let count = item.reminderMax,
                due.number <= count, item.remindersSent < Int64(due.number) else {
                return .cancelled("The item is \(item.status); reminder \(due.number) is not due.")
            }
            item.remindersSent = Int64(due.number)
            item.updatedAt = now
            try await store.save(item, on: tx.sql)
            try await tx.publish(EventTypes.pipelineItemReminderDue, firmID: item.firmId, payload: Components.Schemas.ClientItemReminderEvent(
                itemId: item.id, kind: .init(rawValue: item.kind) ?? .invoice, name: item.name, firmId: item.firmId, accountId: item.accountId,
                jobId: item.jobId, reminder: due.number, of: Int(count), at: EpochMillis.date(millis: now)))
            if Int64(due.number) < count {
                try await Self.schedule(item.id, number: due.number + 1, every: Int(every), from: now, on: tx)
            }
            return .succeeded()
        }
    }

    func handlers() -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register(Self.kind) { _, due in try await run(due) }
        return handlers
    }
}
