import AccountAPI
import AtriumRuntime
import Contracts
import Foundation
import OpenAPIRuntime
import SQLKit

/// Client accounts: listing and search, changes, access (assignments) and recipients.
extension AccountAPIHandler {
    func listAccounts(_ input: Operations.ListAccounts.Input) async throws -> Operations.ListAccounts.Output {
        let caller = try RequestScope.requireCaller()
        guard let firm = caller.firmID, caller.kind != .service else { throw AccountError.notAllowed("Accounts are listed per firm, for people.") }
        let scope: AccountScope = switch caller.kind {
        case .contact: .contact(caller.subject, only: caller.portalView?.accountID)
        default: caller.seesEveryAccount(of: firm) ? .firm : .assigned(member: caller.subject)
        }
        let search = input.query.q?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let page = try await directory.accounts(firm: firm, scope: scope, search: search, after: input.query.cursor,
                                                limit: try Self.pageSize(input.query.limit), on: database.sql)
        return .ok(.init(body: .json(.init(items: page.items.map(\.wire), nextCursor: page.next))))
    }

    func createAccount(_ input: Operations.CreateAccount.Input) async throws -> Operations.CreateAccount.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let firm = try Self.teamFirm("Only team members create accounts.")
        let name = try InputValidation.name(body.name, field: "name", max: 200)
        let account = AccountRecord(id: Identifier.make("acct"), firmId: firm, name: name, kind: body.kind.rawValue,
                                    createdAt: EpochMillis.now(), searchKey: name.lowercased(), accessVersion: 0)
        try await outbox.transaction { tx in
            try await directory.insertAccount(account, on: tx.sql)
            // An employee who cannot see every account is assigned to the one they create, or it would vanish from them.
            if !caller.seesEveryAccount(of: firm) {
                try await people.assign([caller.subject], to: account.id, on: tx.sql)
                _ = try await announceAccess(of: account, on: tx)
            }
        }
        return .created(.init(body: .json(account.wire)))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        .ok(.init(body: .json(try await visibleAccount(input.path.accountId, on: database.sql).wire)))
    }

    func updateAccount(_ input: Operations.UpdateAccount.Input) async throws -> Operations.UpdateAccount.Output {
        guard case .json(let change) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let name = try change.name.map { try InputValidation.name($0, field: "name", max: 200) }
        let id = try await managedAccount(input.path.accountId, on: database.sql).id
        let updated = try await database.transaction { tx in
            guard var account = try await directory.lockAccount(id: id, on: tx) else { throw AccountError.notFound("No account \(id).") }
            if let name {
                account.name = name
                account.searchKey = name.lowercased()
            }
            if let kind = change.kind { account.kind = kind.rawValue }
            try await directory.updateAccount(account, on: tx)
            return account
        }
        return .ok(.init(body: .json(updated.wire)))
    }

    func getAccountAccess(_ input: Operations.GetAccountAccess.Input) async throws -> Operations.GetAccountAccess.Output {
        let account = try await managedAccount(input.path.accountId, on: database.sql)
        return .ok(.init(body: .json(try await grant(of: account, on: database.sql).wire(updatedAt: Date()))))
    }

    func updateAccountAccess(_ input: Operations.UpdateAccountAccess.Input) async throws -> Operations.UpdateAccountAccess.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let change) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let id = try await managedAccount(input.path.accountId, on: database.sql).id
        try caller.require(caller.isOperator, "Only owners, admins and automations give or take access to an account.")
        let give = Array(Set(change.give ?? [])).sorted()
        let take = Array(Set(change.take ?? [])).sorted()
        guard give.count <= 100, take.count <= 100 else { throw AccountError.invalid("give and take take at most 100 member ids each.") }
        guard Set(give).isDisjoint(with: take) else { throw AccountError.invalid("A member cannot be both given and taken access.") }
        let access = try await outbox.transaction { tx in
            guard let account = try await directory.lockAccount(id: id, on: tx.sql) else { throw AccountError.notFound("No account \(id).") }
            for member in give {
                guard let record = try await directory.member(id: member, on: tx.sql), record.firmId == account.firmId else {
                    throw AccountError.invalid("No team member \(member) in this firm.")
                }
            }
            let before = Set(try await people.assigned(account: id, on: tx.sql))
            try await people.assign(give, to: id, on: tx.sql)
            try await people.unassign(take, from: id, on: tx.sql)
            guard Set(try await people.assigned(account: id, on: tx.sql)) != before else {
                return try await grant(of: account, on: tx.sql).wire(updatedAt: Date())
            }
            return try await announceAccess(of: account, on: tx)
        }
        return .ok(.init(body: .json(access)))
    }

    func getRecipients(_ input: Operations.GetRecipients.Input) async throws -> Operations.GetRecipients.Output {
        let account = try await managedAccount(input.path.accountId, on: database.sql)
        let db = database.sql
        let contacts = try await people.linkedContacts(account: account.id, on: db)
            .filter { $0.link.notify == 1 && $0.link.portalAccess == 1 && $0.contact.activatedAt != nil }
            .map { Components.Schemas.Recipient(id: $0.contact.id, email: $0.contact.email, firstName: $0.contact.firstName, lastName: $0.contact.lastName) }
        let assigned = try await people.assigned(account: account.id, on: db)
        var members: [Components.Schemas.Recipient] = []
        for id in assigned {
            guard let member = try await directory.member(id: id, on: db), member.status == "active" else { continue }
            members.append(member.recipient)
        }
        let asked = try Self.memberIDs(input.query.memberIds)
        var seeing: [Components.Schemas.Recipient] = []
        for id in asked {
            guard let member = try await directory.member(id: id, on: db), member.firmId == account.firmId, member.status == "active",
                  member.seesEveryAccount || assigned.contains(id) else { continue }
            seeing.append(member.recipient)
        }
        let firm = try await directory.firm(id: account.firmId, on: db)
        return .ok(.init(body: .json(.init(
            accountId: account.id, accountName: account.name, firmName: firm?.name, showContentInEmails: firm.map { $0.showContentInEmails == 1 },
            members: input.query.memberIds == nil ? nil : seeing, contacts: contacts, teamMembers: members))))
    }

    /// `memberIds` of the recipients lookup: comma-separated, at most 50, duplicates dropped.
    static func memberIDs(_ text: String?) throws -> [String] {
        guard let text else { return [] }
        var ids: [String] = []
        for id in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !id.isEmpty && !ids.contains(id) {
            ids.append(id)
        }
        guard ids.count <= 50 else { throw AccountError.invalid("memberIds names at most 50 team members.") }
        return ids
    }
}

extension MemberRecord {
    var recipient: Components.Schemas.Recipient {
        .init(id: id, email: email, firstName: firstName, lastName: lastName)
    }

    /// Owners, admins and employees with "view all accounts" see every account of their firm.
    var seesEveryAccount: Bool {
        role == "owner" || role == "admin" || rightList.contains(Rights.viewAllAccounts)
    }
}

extension AccountRecord {
    var wire: Components.Schemas.Account {
        .init(id: id, firmId: firmId, name: name, kind: Components.Schemas.AccountKind(rawValue: kind) ?? .individual,
              createdAt: EpochMillis.date(millis: createdAt))
    }
}
