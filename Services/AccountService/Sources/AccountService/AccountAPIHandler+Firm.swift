import AccountAPI
import AtriumRuntime
import Contracts
import Foundation
import OpenAPIRuntime
import SQLKit

/// The firm: its settings and its activity feed.
extension AccountAPIHandler {
    func getFirm(_ input: Operations.GetFirm.Input) async throws -> Operations.GetFirm.Output {
        let caller = try RequestScope.requireCaller()
        let id = input.path.firmId
        // Team members, contacts (the portal follows "clients may start chats") and services.
        guard caller.kind == .service || caller.firmID == id, let firm = try await directory.firm(id: id, on: database.sql) else {
            throw AccountError.notFound("No firm \(id) that you belong to.")
        }
        return .ok(.init(body: .json(firm.details)))
    }

    func updateFirmSettings(_ input: Operations.UpdateFirmSettings.Input) async throws -> Operations.UpdateFirmSettings.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let change) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let id = input.path.firmId
        guard caller.firmID == id else { throw AccountError.notFound("No firm \(id) that you belong to.") }
        _ = try Self.adminFirm("Only owners and admins change firm settings.")
        let settings = try await outbox.transaction { tx in
            guard let before = try await directory.lockFirm(id: id, on: tx.sql) else { throw AccountError.notFound("No firm \(id).") }
            let after = try before.applying(change)
            let changes = after.settingsChanges(from: before)
            guard !changes.isEmpty else { return before.settings }
            var saved = after
            saved.settingsUpdatedAt = EpochMillis.now()
            try await directory.updateSettings(saved, on: tx.sql)
            try await recordActivity(by: caller, firm: id, action: "firm.settings_updated", summary: "changed " + changes.joined(separator: "; "), on: tx.sql)
            try await tx.publish(EventTypes.accountFirmSettingsUpdated, firmID: id, payload: Components.Schemas.FirmSettingsEvent(
                firmId: id, settings: saved.settings, changedBy: caller.subject, changedAt: EpochMillis.date(millis: saved.settingsUpdatedAt)))
            return saved.settings
        }
        return .ok(.init(body: .json(settings)))
    }

    func listFirmActivity(_ input: Operations.ListFirmActivity.Input) async throws -> Operations.ListFirmActivity.Output {
        let caller = try RequestScope.requireCaller()
        let id = input.path.firmId
        guard caller.firmID == id else { throw AccountError.notFound("No firm \(id) that you belong to.") }
        _ = try Self.adminFirm("Only owners and admins read the activity feed.")
        let page = try await directory.activity(firm: id, before: input.query.cursor, limit: try Self.pageSize(input.query.limit), on: database.sql)
        return .ok(.init(body: .json(.init(items: page.items.map(\.wire), nextCursor: page.next))))
    }
}

extension FirmRecord {
    var settings: Components.Schemas.FirmSettings {
        .init(clientsMayStartChats: clientsMayStartChats == 1, showContentInEmails: showContentInEmails == 1,
              reminderDays: Int(reminderDays), reminderCount: Int(reminderCount))
    }

    var details: Components.Schemas.FirmDetails {
        .init(id: id, name: name, createdAt: EpochMillis.date(millis: createdAt), settings: settings,
              settingsUpdatedAt: EpochMillis.date(millis: settingsUpdatedAt))
    }

    func applying(_ change: Components.Schemas.FirmSettingsChange) throws -> FirmRecord {
        var after = self
        if let value = change.clientsMayStartChats { after.clientsMayStartChats = value ? 1 : 0 }
        if let value = change.showContentInEmails { after.showContentInEmails = value ? 1 : 0 }
        if let days = change.reminderDays {
            guard (1...365).contains(days) else { throw AccountError.invalid("reminderDays must be 1 to 365.") }
            after.reminderDays = Int64(days)
        }
        if let count = change.reminderCount {
            guard (1...50).contains(count) else { throw AccountError.invalid("reminderCount must be 1 to 50.") }
            after.reminderCount = Int64(count)
        }
        return after
    }

    /// Sentences for the activity feed, one per setting that changed.
    func settingsChanges(from before: FirmRecord) -> [String] {
        func flag(_ value: Int64) -> String { value == 1 ? "on" : "off" }
        var changes: [String] = []
        if clientsMayStartChats != before.clientsMayStartChats {
            changes.append("\"clients may start chats\" \(flag(before.clientsMayStartChats)) → \(flag(clientsMayStartChats))")
        }
        if showContentInEmails != before.showContentInEmails {
            changes.append("\"show message content in e-mails\" \(flag(before.showContentInEmails)) → \(flag(showContentInEmails))")
        }
        if reminderDays != before.reminderDays { changes.append("reminder days \(before.reminderDays) → \(reminderDays)") }
        if reminderCount != before.reminderCount { changes.append("reminder count \(before.reminderCount) → \(reminderCount)") }
        return changes
    }
}

extension ActivityRecord {
    var wire: Components.Schemas.Activity {
        .init(id: id, actorId: actorId, actorName: actorName, action: action, summary: summary, at: EpochMillis.date(millis: at))
    }
}
