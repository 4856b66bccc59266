import AccountAPI
import AtriumRuntime
import Contracts
import Foundation
import OpenAPIRuntime
import SQLKit

/// Contacts: the client users of an account, their portal access and notify flags, and invitations.
/// A change of portal access changes who may see the account, so it is announced as `account.access_updated`.
extension AccountAPIHandler {
    func listContacts(_ input: Operations.ListContacts.Input) async throws -> Operations.ListContacts.Output {
        let account = try await managedAccount(input.path.accountId, on: database.sql)
        return .ok(.init(body: .json(.init(items: try await people.linkedContacts(account: account.id, on: database.sql).map(\.wire)))))
    }

    func addContact(_ input: Operations.AddContact.Input) async throws -> Operations.AddContact.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let email = try InputValidation.email(body.email)
        let first = try body.firstName.map { try InputValidation.name($0, field: "firstName") }
        let last = try body.lastName.map { try InputValidation.name($0, field: "lastName") }
        let id = try await managedAccount(input.path.accountId, on: database.sql).id
        let linked = try await outbox.transaction { tx in
            guard let account = try await directory.lockAccount(id: id, on: tx.sql) else { throw AccountError.notFound("No account \(id).") }
            let contact = try await existingOrNewContact(firm: account.firmId, email: email, first: first, last: last, on: tx.sql)
            if try await people.linked(account: id, contact: contact.id, on: tx.sql) != nil {
                throw AccountError.conflict("\(email) is already a contact of this account.")
            }
            let link = AccountContactRecord(accountId: id, contactId: contact.id, portalAccess: body.portalAccess == true ? 1 : 0,
                                            notify: body.notify == false ? 0 : 1, createdAt: EpochMillis.now())
            try await people.link(link, on: tx.sql)
            if link.portalAccess == 1 { _ = try await announceAccess(of: account, on: tx) }
            return LinkedContact(contact: contact, link: link)
        }
        return .created(.init(body: .json(linked.wire)))
    }

    /// The firm's contact with this e-mail address (names, if given, must match), or a new one.
    private func existingOrNewContact(firm: String, email: String, first: String?, last: String?, on db: any SQLDatabase) async throws -> ContactRecord {
        if let existing = try await people.contact(firm: firm, email: email, on: db) {
            if let first, first != existing.firstName { throw AccountError.conflict("\(email) belongs to a contact with another first name.") }
            if let last, last != existing.lastName { throw AccountError.conflict("\(email) belongs to a contact with another last name.") }
            return existing
        }
        guard let first, let last else { throw AccountError.invalid("firstName and lastName are required for a new contact.") }
        let contact = ContactRecord(id: Identifier.make("con"), firmId: firm, email: email, firstName: first, lastName: last,
                                    passwordHash: nil, activatedAt: nil, failedLogins: 0, lockedUntil: nil, createdAt: EpochMillis.now())
        try await people.insertContact(contact, on: db)
        return contact
    }

    func updateContact(_ input: Operations.UpdateContact.Input) async throws -> Operations.UpdateContact.Output {
        guard case .json(let change) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let first = try change.firstName.map { try InputValidation.name($0, field: "firstName") }
        let last = try change.lastName.map { try InputValidation.name($0, field: "lastName") }
        let id = try await managedAccount(input.path.accountId, on: database.sql).id
        let contactID = input.path.contactId
        let linked = try await outbox.transaction { tx in
            guard let account = try await directory.lockAccount(id: id, on: tx.sql),
                var linked = try await people.linked(account: id, contact: contactID, on: tx.sql) else {
                throw AccountError.notFound("No contact \(contactID) on this account.")
            }
            let before = linked.link
            if let first { linked.contact.firstName = first }
            if let last { linked.contact.lastName = last }
            if let portal = change.portalAccess { linked.link.portalAccess = portal ? 1 : 0 }
            if let notify = change.notify { linked.link.notify = notify ? 1 : 0 }
            try await people.updateContact(linked.contact, on: tx.sql)
            try await people.updateLink(linked.link, on: tx.sql)
            if before.portalAccess != linked.link.portalAccess {
                if linked.link.portalAccess == 0 { try await endSessionsWithoutPortal(contactID, on: tx.sql) }
                _ = try await announceAccess(of: account, on: tx)
            }
            return linked
        }
        return .ok(.init(body: .json(linked.wire)))
    }

    func removeContact(_ input: Operations.RemoveContact.Input) async throws -> Operations.RemoveContact.Output {
        let id = try await managedAccount(input.path.accountId, on: database.sql).id
        let contactID = input.path.contactId
        try await outbox.transaction { tx in
            guard let account = try await directory.lockAccount(id: id, on: tx.sql),
                let linked = try await people.linked(account: id, contact: contactID, on: tx.sql) else {
                throw AccountError.notFound("No contact \(contactID) on this account.")
            }
            try await people.unlink(account: id, contact: contactID, on: tx.sql)
            if linked.link.portalAccess == 1 {
                try await endSessionsWithoutPortal(contactID, on: tx.sql)
                _ = try await announceAccess(of: account, on: tx)
            }
        }
        return .noContent(.init())
    }

    func inviteContact(_ input: Operations.InviteContact.Input) async throws -> Operations.InviteContact.Output {
        let id = try await managedAccount(input.path.accountId, on: database.sql).id
        let contactID = input.path.contactId
        let invitation = try await outbox.transaction { tx in
            guard let account = try await directory.lockAccount(id: id, on: tx.sql),
                var linked = try await people.linked(account: id, contact: contactID, on: tx.sql),
                let firm = try await directory.firm(id: account.firmId, on: tx.sql) else {
                throw AccountError.notFound("No contact \(contactID) on this account.")
            }
            guard linked.contact.activatedAt == nil else {
                throw AccountError.conflict("\(linked.contact.email) has already activated their account.")
            }
            if linked.link.portalAccess == 0 {
                linked.link.portalAccess = 1
                try await people.updateLink(linked.link, on: tx.sql)
                _ = try await announceAccess(of: account, on: tx)
            }
            let contact = linked.contact
            let issued = try await sessions.invite(.contact, subject: contact.id, firm: firm.id, on: tx.sql)
            try await tx.publish(EventTypes.accountInvitationCreated, firmID: firm.id, payload: Components.Schemas.InvitationEvent(
                invitationId: issued.id, firmId: firm.id, firmName: firm.name, kind: .contact, subjectId: contact.id, email: contact.email,
                firstName: contact.firstName, lastName: contact.lastName,
                expiresAt: EpochMillis.date(millis: issued.expiresAt)))
            return Components.Schemas.Invitation(subjectId: contact.id, email: contact.email, expiresAt: EpochMillis.date(millis: issued.expiresAt))
        }
        return .accepted(.init(body: .json(invitation)))
    }

    /// A contact left with no portal access anywhere cannot refresh their way back in.
    private func endSessionsWithoutPortal(_ contact: String, on db: any SQLDatabase) async throws {
        if try await people.portalAccounts(contact: contact, on: db) == 0 {
            try await credentials.revokeSessions(subject: contact, on: db)
        }
    }
}

extension LinkedContact {
    var wire: Components.Schemas.Contact {
        .init(id: contact.id, accountId: link.accountId, email: contact.email, firstName: contact.firstName, lastName: contact.lastName,
              portalAccess: link.portalAccess == 1, activated: contact.activatedAt != nil, notify: link.notify == 1,
              createdAt: EpochMillis.date(millis: link.createdAt))
    }
}
