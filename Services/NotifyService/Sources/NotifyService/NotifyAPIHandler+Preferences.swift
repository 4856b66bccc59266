import AtriumRuntime
import Foundation
import NotifyAPI

/// Team members' notification preferences.
extension NotifyAPIHandler {
    func getNotificationPreferences(_ input: Operations.GetNotificationPreferences.Input) async throws -> Operations.GetNotificationPreferences.Output {
        let member = try Self.member()
        return .ok(.init(body: .json(try await preferencesBody(of: member))))
    }

    func updateNotificationPreferences(
        _ input: Operations.UpdateNotificationPreferences.Input
    ) async throws -> Operations.UpdateNotificationPreferences.Output {
        guard case .json(let change) = input.body else { throw NotifyError.invalid("Expected a JSON body.") }
        let member = try Self.member()
        var choices: [NoticeKind: Channel] = [:]
        for item in change.items ?? [] {
            guard let kind = NoticeKind(rawValue: item.kind.rawValue), Channel.memberKinds.contains(kind) else {
                throw NotifyError.invalid("Team members are not told of \(item.kind.rawValue); choose among "
                    + Channel.memberKinds.map(\.rawValue).joined(separator: ", ") + ".")
            }
            guard choices[kind] == nil else { throw NotifyError.invalid("\(kind.rawValue) is named twice.") }
            choices[kind] = Channel(rawValue: item.channel.rawValue) ?? .both
        }
        let (store, digests, now, chosen, digest) = (preferences, self.digests, clock.now(), choices, change.digest)
        try await database.transaction { tx in
            try await store.save(chosen, for: member, at: now, on: tx)
            if let digest { try await digests.setDigest(digest, for: member, at: now, on: tx) }
        }
        return .ok(.init(body: .json(try await preferencesBody(of: member))))
    }

    private func preferencesBody(of member: String) async throws -> Components.Schemas.NotificationPreferences {
        let chosen = try await preferences.chosen(by: [member], on: database.sql)[member] ?? [:]
        let digest = try await digests.digesting([member], on: database.sql).contains(member)
        return .init(items: Channel.memberKinds.map { kind in
            .init(kind: .init(rawValue: kind.rawValue) ?? .message,
                  channel: .init(rawValue: (chosen[kind] ?? Channel.memberDefault(for: kind)).rawValue) ?? .both,
                  isDefault: chosen[kind] == nil)
        }, digest: digest)
    }

    /// The calling team member's id; preferences are a team member's own.
    static func member() throws -> String {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, caller.portalView == nil else {
            throw NotifyError.notAllowed("Notification preferences are a team member's own; contacts are governed by their notify flag.")
        }
        return caller.subject
    }
}
