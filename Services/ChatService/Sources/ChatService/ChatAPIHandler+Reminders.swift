import AtriumRuntime
import ChatAPI
import Foundation
import OpenAPIRuntime

extension ChatAPIHandler {
    func setReminders(_ input: Operations.SetReminders.Input) async throws -> Operations.SetReminders.Output {
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let visible = try await teamThread(input.path.threadId, "Only the firm sets reminders.")
        let choice = try ReminderChoice(days: body.daysUntilNext, count: body.count, policy: try await directory.policy(of: visible.thread.firmId))
        return .ok(.init(body: .json(try await changeReminders(visible) { thread, tx in
            thread.setReminders(days: choice.days, count: choice.count)
            try await armReminders(&thread, from: clock.now(), on: tx)
        })))
    }

    func clearReminders(_ input: Operations.ClearReminders.Input) async throws -> Operations.ClearReminders.Output {
        let visible = try await teamThread(input.path.threadId, "Only the firm sets reminders.")
        return .ok(.init(body: .json(try await changeReminders(visible) { thread, _ in
            thread.setReminders(days: nil, count: nil)
            thread.stopReminders()
        })))
    }

    private func changeReminders(
        _ visible: VisibleThread, _ change: @escaping @Sendable (inout ThreadRecord, OutboxTransaction) async throws -> Void
    ) async throws -> Components.Schemas.Thread {
        let store = self.store
        let thread = try await outbox.transaction { tx in
            var thread = try await locked(visible.thread.id, on: tx)
            try await change(&thread, tx)
            try await store.save(thread, on: tx.sql)
            return thread
        }
        return try await wire(thread, for: visible.viewer)
    }
}
