import AccountAPI
import Contracts
import DirectoryEventsAPI
import Foundation
import OpenAPIRuntime
public import SQLKit

/// What a service does with an account's new grant, on the transaction that records the event.
public typealias GrantObserver = @Sendable (AccountGrant, any SQLDatabase) async throws -> Void

/// Receives AccountService's directory events and applies them to the service's `DirectoryCache`.
///
/// The events carry whole snapshots with versions, so applying one twice or out of order is
/// harmless; the inbox still records each id so a replay is a cheap no-op.
struct AccountEventsReceiver: DirectoryEventsAPI.APIProtocol {
    let inbox: WebhookInbox
    let cache: DirectoryCache
    /// The service's own use of a new grant, in the inbox's transaction (ChatService keeps a table of who sees which account).
    var grantObserver: GrantObserver?

    func receiveAccountEvent(_ input: DirectoryEventsAPI.Operations.ReceiveAccountEvent.Input) async throws
        -> DirectoryEventsAPI.Operations.ReceiveAccountEvent.Output {
        guard case .any(let stream) = input.body else { throw RuntimeError.invalidBody("Expected a body.") }
        let (cache, observer) = (self.cache, grantObserver)
        _ = try await inbox.receive(
            id: input.headers.webhookId, timestamp: input.headers.webhookTimestamp, signature: input.headers.webhookSignature,
            stream: stream
        ) { tx, type, body in
            if let grant = try Self.apply(type: type, body: body, to: cache), let observer {
                try await observer(grant, tx)
            }
        }
        return .noContent(.init())
    }

    /// Applies the event to the cache; the grant it carried, if it was an access change.
    @discardableResult
    static func apply(type: String, body: Data, to cache: DirectoryCache) throws -> AccountGrant? {
        do {
            switch type {
            case EventTypes.accountAccessUpdated:
                let grant = AccountGrant(try WebhookEnvelope<AccountAPI.Components.Schemas.AccountAccess>.decode(body).data)
                cache.store(grant)
                return grant
            case EventTypes.accountFirmSettingsUpdated:
                let event = try WebhookEnvelope<AccountAPI.Components.Schemas.FirmSettingsEvent>.decode(body).data
                cache.store(FirmPolicy(firmID: event.firmId, settings: event.settings, changedAt: event.changedAt))
            case EventTypes.accountMemberUpdated:
                let event = try WebhookEnvelope<AccountAPI.Components.Schemas.MemberUpdatedEvent>.decode(body).data
                cache.store(member: event.memberId, MemberStanding(active: event.status != .deactivated, version: event.standing))
            default:
                break
            }
            return nil
        } catch {
            throw RuntimeError.invalidBody("The \(type) payload does not match its schema.")
        }
    }
}
