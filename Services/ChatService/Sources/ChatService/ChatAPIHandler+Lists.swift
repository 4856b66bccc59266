import AtriumRuntime
import ChatAPI
import Foundation
import OpenAPIRuntime

extension ChatAPIHandler {
    func listThreads(_ input: Operations.ListThreads.Input) async throws -> Operations.ListThreads.Output {
        let caller = try RequestScope.requireCaller()
        let size = try Paging.size(input.query.limit)
        let query = ThreadListQuery(
            scope: try await scope(account: input.query.accountId, caller: caller), viewer: caller.viewer,
            status: input.query.status.flatMap { $0 == .all ? nil : $0.rawValue },
            tasks: ThreadListQuery.TaskFilter(rawValue: input.query.tasks?.rawValue ?? "any") ?? .any,
            after: try input.query.cursor.map(ThreadCursor.init), limit: size + 1)
        let db = database.sql
        let page = try await query.run(on: db)
        let threads = Array(page.prefix(size))
        let viewer = caller.viewer
        let reads = try await store.readCounts(threads: threads.map(\.id), reader: viewer.id, on: db)
        let lasts = Dictionary(uniqueKeysWithValues: try await store.messages(ids: threads.compactMap { $0.lastMessageID(for: viewer) }, on: db)
            .map { ($0.id, $0) })
        let items = threads.map { thread in
            thread.summary(viewer: viewer, read: reads[thread.id] ?? (0, 0), last: thread.lastMessageID(for: viewer).flatMap { lasts[$0] })
        }
        let next = page.count > size ? threads.last.map { ThreadCursor(activity: $0.lastActivity(for: viewer), id: $0.id).text } : nil
        return .ok(.init(body: .json(.init(items: items, nextCursor: next))))
    }

    /// Whose threads the list covers: one account the caller may see, or all the caller's accounts.
    private func scope(account accountID: String?, caller: Caller) async throws -> ThreadListQuery.Scope {
        if let accountID {
            guard let grant = try await directory.grant(for: accountID, visibleTo: caller) else { throw ChatError.accountNotFound(accountID) }
            return .account(grant.accountID)
        }
        if let view = caller.portalView { return .account(view.accountID) }
        guard let firm = caller.firmID else { throw ChatError.invalid("A service lists one account's threads: give accountId.") }
        return caller.seesEveryAccount(of: firm) ? .firm(firm) : .person(caller.subject, firm: firm)
    }

    func receiveDocEvent(_ input: Operations.ReceiveDocEvent.Input) async throws -> Operations.ReceiveDocEvent.Output {
        guard case .any(let stream) = input.body else { throw ChatError.invalid("Expected a body.") }
        let applier = DocEventApplier(store: store, live: live)
        let receipt = try await docInbox.receive(
            id: input.headers.webhookId, timestamp: input.headers.webhookTimestamp, signature: input.headers.webhookSignature,
            stream: stream
        ) { tx, type, body in
            try await applier.apply(type: type, body: body, on: tx)
        }
        // What the event published waits in the outbox; wake the dispatcher rather than let it poll.
        if receipt == .applied { outbox.signal.notify() }
        return .noContent(.init())
    }
}
