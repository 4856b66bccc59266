import AtriumRuntime
import ChatAPI
import Foundation
import OpenAPIRuntime

/// ChatService's routes: threads, their messages, client tasks, job links and documents. The
/// operations live in one extension per resource (`ChatAPIHandler+Messages.swift`, …).
struct ChatAPIHandler: APIProtocol {
    let outbox: Outbox
    let store: ThreadStore
    let replica: AccountReplica
    /// Who may see which account, answered from the local cache.
    let directory: any AccountDirectory
    /// Contacts and team members, from AccountService.
    let people: any ChatPeople
    /// Documents attached to threads, checked with DocService.
    let catalog: any DocumentCatalog
    /// Where DocService's signed events are recorded once each.
    let docInbox: WebhookInbox
    /// What people watching threads see at once.
    let live: LiveUpdates
    /// The time messages are stamped with and reminders run by (tests move it by hand).
    let clock: any JobClock

    var database: Database { outbox.database }
}

// MARK: - Access

/// A thread as one caller may see it.
struct VisibleThread {
    var thread: ThreadRecord
    var caller: Caller
    var viewer: Viewer
}

extension ChatAPIHandler {
    /// The thread, when the caller may see its account; 404 otherwise, as if it did not exist.
    func visibleThread(_ id: String) async throws -> VisibleThread {
        let caller = try RequestScope.requireCaller()
        guard let thread = try await store.find(id, on: database.sql),
            try await directory.allows(caller, account: thread.accountId, firm: thread.firmId) else {
            throw ChatError.threadNotFound(id)
        }
        return VisibleThread(thread: thread, caller: caller, viewer: caller.viewer)
    }

    /// The thread, when the caller is on the firm's side of it (a team member who sees it, or a service).
    func teamThread(_ id: String, _ why: @autoclosure () -> String) async throws -> VisibleThread {
        let visible = try await visibleThread(id)
        guard visible.caller.kind != .contact else { throw ChatError.notAllowed(why()) }
        return visible
    }

    /// The thread locked in `tx`, as it is now; 404 if it went away since the caller's check.
    func locked(_ id: String, on tx: OutboxTransaction) async throws -> ThreadRecord {
        guard let thread = try await store.lock(id, on: tx.sql) else { throw ChatError.threadNotFound(id) }
        return thread
    }
}

extension Caller {
    /// How this caller looks at threads: contacts (portal views included) never see internal messages.
    var viewer: Viewer { Viewer(id: subject, seesInternal: kind != .contact) }
    var author: Author { Author(id: subject, kind: kind.rawValue) }
}

/// Page sizes and cursors of ChatService's lists.
enum Paging {
    /// 50 unless said otherwise, at most 100.
    static func size(_ limit: Int?) throws -> Int {
        let size = limit ?? 50
        guard (1...100).contains(size) else { throw ChatError.invalid("limit must be 1 to 100.") }
        return size
    }
}
