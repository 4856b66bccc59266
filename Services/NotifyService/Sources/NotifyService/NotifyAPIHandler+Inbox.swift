import AtriumRuntime
import Foundation
import NotifyAPI

/// Inbox+: a team member's or a contact's notifications, read state and unread counts.
extension NotifyAPIHandler {
    func listInbox(_ input: Operations.ListInbox.Input) async throws -> Operations.ListInbox.Output {
        let owner = try await inboxOwner()
        let size = try Paging.size(input.query.limit)
        let items = try await inbox.page(owner, unread: input.query.unread ?? false, kind: input.query.kind?.rawValue,
                                         before: try Paging.after(input.query.cursor, prefix: "ntf"), limit: size + 1, on: database.sql)
        let next = items.count > size ? TextCursor.make(items[size - 1].id) : nil
        return .ok(.init(body: .json(.init(items: items.prefix(size).map(\.wire), nextCursor: next))))
    }

    func getInboxCounts(_ input: Operations.GetInboxCounts.Input) async throws -> Operations.GetInboxCounts.Output {
        .ok(.init(body: .json(try await counts(try await inboxOwner()))))
    }

    func getInboxItem(_ input: Operations.GetInboxItem.Input) async throws -> Operations.GetInboxItem.Output {
        let owner = try await inboxOwner()
        guard let item = try await inbox.item(input.path.itemId, owner, on: database.sql) else { throw NotifyError.itemNotFound(input.path.itemId) }
        return .ok(.init(body: .json(item.wire)))
    }

    func updateInboxItem(_ input: Operations.UpdateInboxItem.Input) async throws -> Operations.UpdateInboxItem.Output {
        guard case .json(let change) = input.body else { throw NotifyError.invalid("Expected a JSON body.") }
        let owner = try await inboxOwner()
        let (id, now, store) = (input.path.itemId, clock.now(), inbox)
        let item = try await database.transaction { tx -> InboxItemRecord? in
            guard try await store.setRead(id, read: change.read, at: now, owner, on: tx) else { return nil }
            _ = try await store.bump([owner.recipientID], on: tx)
            return try await store.item(id, owner, on: tx)
        }
        guard let item else { throw NotifyError.itemNotFound(id) }
        hub.wake()
        return .ok(.init(body: .json(item.wire)))
    }

    func markAllInboxRead(_ input: Operations.MarkAllInboxRead.Input) async throws -> Operations.MarkAllInboxRead.Output {
        let owner = try await inboxOwner()
        var kind: String?
        var upTo: String?
        if case .json(let body) = input.body {
            kind = body.kind?.rawValue
            if let id = body.upTo {
                guard Identifier.isWellFormed(id, prefix: "ntf") else { throw NotifyError.invalid("upTo must be an inbox item id.") }
                upTo = id
            }
        }
        let (now, store, chosenKind, until) = (clock.now(), inbox, kind, upTo)
        let marked = try await database.transaction { tx in
            let marked = try await store.markAllRead(owner, kind: chosenKind, upTo: until, at: now, on: tx)
            if marked > 0 { _ = try await store.bump([owner.recipientID], on: tx) }
            return marked
        }
        if marked > 0 { hub.wake() }
        return .ok(.init(body: .json(.init(marked: marked, counts: try await counts(owner)))))
    }

    /// Whose inbox the caller reads: their own, or (a portal view) the contact's items about that account.
    func inboxOwner() async throws -> InboxStore.Owner {
        let caller = try RequestScope.requireCaller()
        switch caller.kind {
        case .service:
            throw NotifyError.notAllowed("Services have no inbox.")
        case .member:
            return InboxStore.Owner(recipientID: caller.subject, accountID: nil)
        case .contact:
            guard let view = caller.portalView else { return InboxStore.Owner(recipientID: caller.subject, accountID: nil) }
            guard let firm = caller.firmID, try await directory.allows(caller, account: view.accountID, firm: firm) else {
                throw NotifyError.notAllowed("This portal view has lapsed: you may no longer see the account.")
            }
            return InboxStore.Owner(recipientID: caller.subject, accountID: view.accountID)
        }
    }

    private func counts(_ owner: InboxStore.Owner) async throws -> Components.Schemas.InboxCounts {
        let byKind = try await inbox.unreadCounts(owner, on: database.sql)
        return .init(unread: byKind.values.reduce(0, +), byKind: .init(additionalProperties: byKind))
    }
}
