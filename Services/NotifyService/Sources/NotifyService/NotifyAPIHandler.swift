import AtriumRuntime
import Foundation
import NotifyAPI

/// NotifyService's routes: Inbox+, preferences, the e-mail queue and the event receivers. The
/// operations live in one extension per resource (`NotifyAPIHandler+Inbox.swift`, …).
struct NotifyAPIHandler: APIProtocol {
    let outbox: Outbox
    let inbox: InboxStore
    let preferences: PreferenceStore
    let emails: EmailStore
    let composer: EmailComposer
    /// Tells open inbox streams that something changed.
    let hub: InboxHub
    /// Who may see which account (portal views), answered from the local cache.
    let directory: any AccountDirectory
    /// Who hears about an account, from AccountService.
    let people: any NotifyDirectory
    let templates: EmailTemplateStore
    let digests: DigestStore
    /// Where ChatService's and AccountService's signed events are recorded once each.
    let chatInbox: WebhookInbox
    let accountInbox: WebhookInbox
    /// PipelineService's item reminders.
    let pipelineInbox: WebhookInbox
    /// The domain of Message-IDs.
    let mailDomain: String
    let clock: any JobClock

    var database: Database { outbox.database }
}

/// Page sizes and cursors of NotifyService's lists.
enum Paging {
    /// 50 unless said otherwise, at most 100.
    static func size(_ limit: Int?) throws -> Int {
        let size = limit ?? 50
        guard (1...100).contains(size) else { throw NotifyError.invalid("limit must be 1 to 100.") }
        return size
    }

    /// The id a cursor carries; a 400 for anything else.
    static func after(_ cursor: String?, prefix: String) throws -> String? {
        guard let cursor else { return nil }
        let id = try TextCursor.key(cursor)
        guard Identifier.isWellFormed(id, prefix: prefix) else { throw NotifyError.invalid("cursor is not one this list gave.") }
        return id
    }
}
