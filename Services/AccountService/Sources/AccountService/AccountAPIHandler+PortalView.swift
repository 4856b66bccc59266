import AccountAPI
import AtriumRuntime
import Contracts
import Foundation
import OpenAPIRuntime
import SQLKit

/// "View the portal as a contact" (SPEC "People and access"): a read-only token that names the
/// contact and carries the team member behind it. Every service enforces the rest: changes get a
/// 403 (`AuthMiddleware`), and only this account shows, while the member may still see it
/// (`Caller.canSee`).
extension AccountAPIHandler {
    func viewPortalAsContact(_ input: Operations.ViewPortalAsContact.Input) async throws -> Operations.ViewPortalAsContact.Output {
        let caller = try RequestScope.requireCaller()
        let account = try await visibleAccount(input.path.accountId, on: database.sql)
        guard caller.kind == .member, caller.portalView == nil, let role = caller.role else {
            throw AccountError.notAllowed("Only team members can view the portal as a contact.")
        }
        let contactID = input.path.contactId
        let linked = try await database.transaction { tx in
            guard let linked = try await people.linked(account: account.id, contact: contactID, on: tx) else {
                throw AccountError.notFound("No contact \(contactID) on this account.")
            }
            guard linked.link.portalAccess == 1 else {
                throw AccountError.conflict("\(linked.contact.email) has no portal access to this account, so there is nothing to view.")
            }
            try await recordActivity(by: caller, firm: account.firmId, action: "portal.viewed",
                                     summary: "viewed the portal as \(linked.contact.firstName) \(linked.contact.lastName) (\(account.name))",
                                     on: tx)
            return linked
        }
        let view = PortalView(memberID: caller.subject, accountID: account.id, role: role, rights: caller.rights.sorted(),
                              standing: caller.standing)
        let token = try await sessions.signer.issue(for: Caller(kind: .contact, subject: linked.contact.id, firmID: account.firmId,
                                                                portalView: view))
        return .created(.init(body: .json(.init(accessToken: token, tokenType: .bearer,
                                                expiresIn: Int(sessions.signer.lifetime),
                                                accountId: account.id, contactId: linked.contact.id))))
    }
}
