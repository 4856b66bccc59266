import AccountAPI
import Contracts
import DirectoryEventsAPI
import Foundation
import OpenAPIRuntime

/// Receives AccountService's directory events and applies them to the service's `DirectoryCache`.
///
/// The events carry whole snapshots with versions, so applying one twice or out of order is
/// harmless; the inbox still records each id so a replay is a cheap no-op.
struct AccountEventsReceiver: DirectoryEventsAPI.APIProtocol {
    let inbox: WebhookInbox
    let cache: DirectoryCache

    func receiveAccountEvent(_ input: DirectoryEventsAPI.Operations.ReceiveAccountEvent.Input) async throws
        -> DirectoryEventsAPI.Operations.ReceiveAccountEvent.Output {
        guard case .any(let stream) = input.body else { throw RuntimeError.invalidBody("Expected a body.") }
        let cache = self.cache
        _ = try await inbox.receive(
            id: input.headers.webhookId, timestamp: input.headers.webhookTimestamp, signature: input.headers.webhookSignature,
            stream: stream
        ) { _, type, body in
            try Self.apply(type: type, body: body, to: cache)
        }
        return .noContent(.init())
    }

    static func apply(type: String, body: Data, to cache: DirectoryCache) throws {
        do {
            switch type {
            case EventTypes.accountAccessUpdated:
                cache.store(AccountGrant(try WebhookEnvelope<AccountAPI.Components.Schemas.AccountAccess>.decode(body).data))
            case EventTypes.accountFirmSettingsUpdated:
                let event = try WebhookEnvelope<AccountAPI.Components.Schemas.FirmSettingsEvent>.decode(body).data
                cache.store(FirmPolicy(firmID: event.firmId, settings: event.settings, changedAt: event.changedAt))
            case EventTypes.accountMemberUpdated:
                let event = try WebhookEnvelope<AccountAPI.Components.Schemas.MemberUpdatedEvent>.decode(body).data
                cache.store(member: event.memberId, MemberStanding(active: event.status != .deactivated, version: event.standing))
            default:
                return
            }
        } catch {
            throw RuntimeError.invalidBody("The \(type) payload does not match its schema.")
        }
    }
}
