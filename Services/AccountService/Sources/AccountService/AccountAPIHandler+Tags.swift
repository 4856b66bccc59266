import AccountAPI
import AtriumRuntime
import Contracts
import Foundation
import OpenAPIRuntime
import SQLKit

/// Tags: the firm's catalogue (owners and admins) and the tags each account carries (any team member).
/// Every change to an account's tags is announced as `account.tags_updated`, in the same transaction.
extension AccountAPIHandler {
    func listTags(_ input: Operations.ListTags.Input) async throws -> Operations.ListTags.Output {
        let firm = try Self.teamFirm("Only team members see the tags.")
        return .ok(.init(body: .json(.init(items: try await tags.tags(firm: firm, on: database.sql).map(\.wire)))))
    }

    func createTag(_ input: Operations.CreateTag.Input) async throws -> Operations.CreateTag.Output {
        let firm = try Self.adminFirm("Only owners and admins manage the tag catalogue.")
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let name = try InputValidation.name(body.name, field: "name", max: 60)
        let tag = TagRecord(id: Identifier.make("tag"), firmId: firm, name: name, nameKey: name.lowercased(), createdAt: EpochMillis.now())
        let tags = self.tags
        try await AccountError.whenTaken(.tagNameTaken(name)) {
            try await database.transaction { tx in
                guard try await tags.tag(firm: firm, nameKey: tag.nameKey, on: tx) == nil else { throw AccountError.tagNameTaken(name) }
                try await tags.insert(tag, on: tx)
            }
        }
        return .created(.init(body: .json(tag.wire)))
    }

    func renameTag(_ input: Operations.RenameTag.Input) async throws -> Operations.RenameTag.Output {
        let firm = try Self.adminFirm("Only owners and admins manage the tag catalogue.")
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let name = try InputValidation.name(body.name, field: "name", max: 60)
        let tags = self.tags
        let id = input.path.tagId
        let renamed = try await AccountError.whenTaken(.tagNameTaken(name)) { try await outbox.transaction { tx in
            guard var tag = try await tags.tag(id: id, on: tx.sql), tag.firmId == firm else { throw AccountError.notFound("No tag \(id).") }
            if let other = try await tags.tag(firm: firm, nameKey: name.lowercased(), on: tx.sql), other.id != id {
                throw AccountError.tagNameTaken(name)
            }
            try await tags.rename(id, to: name, key: name.lowercased(), on: tx.sql)
            tag.name = name
            tag.nameKey = name.lowercased()
            // Subscribers that keep tag names learn the new one from each account that carries it.
            for account in try await tags.accounts(tagged: id, on: tx.sql) {
                try await Self.announce(account: account, firm: firm, added: [], removed: [], tags: tags, on: tx)
            }
            return tag
        } }
        return .ok(.init(body: .json(renamed.wire)))
    }

    func deleteTag(_ input: Operations.DeleteTag.Input) async throws -> Operations.DeleteTag.Output {
        let firm = try Self.adminFirm("Only owners and admins manage the tag catalogue.")
        let tags = self.tags
        let id = input.path.tagId
        try await outbox.transaction { tx in
            guard let tag = try await tags.tag(id: id, on: tx.sql), tag.firmId == firm else { throw AccountError.notFound("No tag \(id).") }
            let accounts = try await tags.accounts(tagged: id, on: tx.sql)
            try await tags.delete(id, on: tx.sql)
            for account in accounts {
                try await Self.announce(account: account, firm: firm, added: [], removed: [tag.name], tags: tags, on: tx)
            }
        }
        return .noContent(.init())
    }

    func getAccountTags(_ input: Operations.GetAccountTags.Input) async throws -> Operations.GetAccountTags.Output {
        let account = try await managedAccount(input.path.accountId, on: database.sql)
        let current = try await tags.tags(account: account.id, on: database.sql)
        return .ok(.init(body: .json(.init(accountId: account.id, tags: current.map(\.wire)))))
    }

    func updateAccountTags(_ input: Operations.UpdateAccountTags.Input) async throws -> Operations.UpdateAccountTags.Output {
        let account = try await managedAccount(input.path.accountId, on: database.sql)
        guard case .json(let change) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let add = Array(Set(change.add ?? [])).sorted()
        let remove = Array(Set(change.remove ?? [])).sorted()
        guard add.count <= 100, remove.count <= 100 else { throw AccountError.invalid("add and remove take at most 100 tag ids each.") }
        let tags = self.tags
        let after = try await outbox.transaction { tx in
            let catalogue = Dictionary(uniqueKeysWithValues: try await tags.tags(firm: account.firmId, on: tx.sql).map { ($0.id, $0) })
            if let unknown = (add + remove).first(where: { catalogue[$0] == nil }) {
                throw AccountError.invalid("No tag \(unknown) in this firm (add and remove take tag ids).")
            }
            try await tags.lockAccount(account.id, on: tx.sql)
            let before = try await tags.tags(account: account.id, on: tx.sql)
            let removing = change.clear == true ? before.map(\.id) : remove
            try await tags.remove(removing, from: account.id, on: tx.sql)
            try await tags.add(add, to: account.id, on: tx.sql)
            let after = try await tags.tags(account: account.id, on: tx.sql)
            let beforeIDs = Set(before.map(\.id))
            let afterIDs = Set(after.map(\.id))
            if beforeIDs != afterIDs {
                try await Self.announce(
                    account: account.id, firm: account.firmId,
                    added: after.filter { !beforeIDs.contains($0.id) }.map(\.name),
                    removed: before.filter { !afterIDs.contains($0.id) }.map(\.name), tags: tags, on: tx)
            }
            return after
        }
        return .ok(.init(body: .json(.init(accountId: account.id, tags: after.map(\.wire)))))
    }

    /// Publishes `account.tags_updated` with the account's tags as they now stand.
    private static func announce(
        account: String, firm: String, added: [String], removed: [String], tags: any TagRepository, on tx: OutboxTransaction
    ) async throws {
        let names = try await tags.tags(account: account, on: tx.sql).map(\.name)
        try await tx.publish(EventTypes.accountTagsUpdated, firmID: firm, payload: Components.Schemas.TagsUpdatedEvent(
            firmId: firm, accountId: account, tags: names, added: added, removed: removed, updatedAt: Date()))
    }
}

extension TagRecord {
    var wire: Components.Schemas.Tag { .init(id: id, name: name, createdAt: EpochMillis.date(millis: createdAt)) }
}
