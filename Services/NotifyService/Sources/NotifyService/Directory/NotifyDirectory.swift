import AccountAPI
import AtriumRuntime
import Foundation
import OpenAPIRuntime

/// What NotifyService asks AccountService. The real one calls it; unit tests answer themselves.
protocol NotifyDirectory: Sendable {
    /// Who may hear about `accountID` now, including the team members `memberIDs` who may see it;
    /// nil when the account is gone.
    func audience(account accountID: String, memberIDs: [String]) async throws -> Audience?
    /// The accept link's token of a pending invitation; nil once it was used, replaced or expired.
    func invitationToken(_ invitationID: String) async throws -> String?
}

/// `NotifyDirectory` answered by AccountService, with NotifyService's service token.
struct AccountServiceDirectory: NotifyDirectory {
    let client: AccountAPI.Client

    init(clients: ServiceClients) throws {
        client = AccountAPI.Client(serverURL: try clients.url(of: .account), transport: clients.transport,
                                   middlewares: clients.middlewares(for: .account))
    }

    func audience(account accountID: String, memberIDs: [String]) async throws -> Audience? {
        let query = Operations.GetRecipients.Input.Query(memberIds: memberIDs.isEmpty ? nil : memberIDs.joined(separator: ","))
        switch try await call({ try await client.getRecipients(path: .init(accountId: accountID), query: query) }) {
        case .ok(let ok):
            let found = try ok.body.json
            func people(_ items: [Components.Schemas.Recipient], _ kind: Person.Kind) -> [Person] {
                items.map { Person(id: $0.id, kind: kind, email: $0.email, firstName: $0.firstName, lastName: $0.lastName) }
            }
            return Audience(accountName: found.accountName ?? "", firmName: found.firmName ?? "",
                            showContentInEmails: found.showContentInEmails ?? false, contacts: people(found.contacts, .contact),
                            assigned: people(found.teamMembers, .member), members: people(found.members ?? [], .member))
        case .default(statusCode: 404, _):
            return nil
        case .default(let status, _):
            throw RuntimeError.unavailable("AccountService answered \(status) when asked who hears about an account.")
        }
    }

    func invitationToken(_ invitationID: String) async throws -> String? {
        switch try await call({ try await client.getInvitationLink(path: .init(invitationId: invitationID)) }) {
        case .ok(let ok):
            return try ok.body.json.token
        case .default(statusCode: 404, _), .default(statusCode: 410, _):
            return nil
        case .default(let status, _):
            throw RuntimeError.unavailable("AccountService answered \(status) when asked for an invitation's link.")
        }
    }

    private func call<Output>(_ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch {
            throw RuntimeError.unavailable("AccountService cannot be reached; try again shortly.")
        }
    }
}
