import AtriumRuntime
import ChatAPI
import Contracts
import Foundation
import OpenAPIRuntime

extension ChatAPIHandler {
    func listMessages(_ input: Operations.ListMessages.Input) async throws -> Operations.ListMessages.Output {
        let visible = try await visibleThread(input.path.threadId)
        let size = try Paging.size(input.query.limit)
        let before = try input.query.cursor.map { cursor in
            guard let seq = Int64(cursor), seq > 0 else { throw ChatError.invalid("cursor is not one this list gave.") }
            return seq
        }
        let db = database.sql
        let page = try await store.messages(of: visible.thread.id, viewer: visible.viewer, before: before, limit: size + 1, on: db)
        let items = Array(page.prefix(size))
        let attachments = Dictionary(grouping: try await store.documents(ofMessages: items.map(\.id), on: db)) { $0.messageId ?? "" }
        return .ok(.init(body: .json(.init(
            items: items.map { $0.wire(attachments: attachments[$0.id] ?? []) },
            nextCursor: page.count > size ? items.last.map { String($0.seq) } : nil))))
    }

    func postMessage(_ input: Operations.PostMessage.Input) async throws -> Operations.PostMessage.Output {
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        let visible = try await visibleThread(input.path.threadId)
        let caller = visible.caller
        let isInternal = body._internal ?? false
        if isInternal, caller.kind == .contact { throw ChatError.notAllowed("Internal notes are the team's; a client's message is always seen by the firm.") }
        let mentions = try IDList.validate(body.mentions ?? [], field: "mentions", max: 50)
        let attachmentIDs = try IDList.validate(body.attachments ?? [], field: "attachments", max: 20)
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !attachmentIDs.isEmpty ? "" : try MessageText.validate(body.text)
        guard let grant = try await directory.grant(for: visible.thread.accountId) else { throw ChatError.threadNotFound(visible.thread.id) }
        try await checkMentions(mentions, grant: grant, by: caller)
        if !isInternal, caller.kind != .contact { try await checkSomeoneReceives(visible.thread, grant: grant) }
        let documents = try await attachments(attachmentIDs, account: visible.thread.accountId, by: caller, internal: isInternal)
        let draft = MessageDraft(author: caller.author, isInternal: isInternal, text: text, mentions: mentions, attachments: documents,
                                 requestKey: input.headers.idempotencyKey)
        let store = self.store
        let message = try await outbox.transaction { tx in
            var thread = try await locked(visible.thread.id, on: tx)
            if let key = draft.requestKey, let posted = try await store.message(thread: thread.id, author: draft.author.id, key: key, on: tx.sql) {
                return posted
            }
            let now = clock.now()
            if thread.isArchived {
                // A new message means the matter is live again.
                thread.setArchived(false, at: now)
                try await armReminders(&thread, from: now, on: tx)
                try await live.append(thread.update("thread.status", thread.listChange, for: .everyone), on: tx.sql)
                try await tx.publish(EventTypes.chatThreadReopened, firmID: thread.firmId, payload: thread.statusEvent(actor: caller.author, at: now))
            }
            let message = try await post(draft, in: &thread, at: now, on: tx)
            try await store.save(thread, on: tx.sql)
            return message
        }
        let attached = try await store.documents(ofMessages: [message.id], on: database.sql)
        return .created(.init(body: .json(message.wire(attachments: attached))))
    }

    /// A reply the client should read needs a recipient who still can: someone with portal access.
    private func checkSomeoneReceives(_ thread: ThreadRecord, grant: AccountGrant) async throws {
        let recipients = try await store.recipients(of: thread.id, on: database.sql)
        guard recipients.isEmpty || recipients.contains(where: grant.contactIDs.contains) else {
            throw ChatError.recipientsCannotReceive(recipients.map { "\($0) no longer has portal access" })
        }
    }

    func markThreadRead(_ input: Operations.MarkThreadRead.Input) async throws -> Operations.MarkThreadRead.Output {
        let visible = try await visibleThread(input.path.threadId)
        let now = clock.now()
        // Read as the thread stands now: a message posted after this read stays unread, never read by mistake.
        let (store, live, thread, reader) = (self.store, self.live, visible.thread, visible.viewer.id)
        try await database.transaction { db in
            try await store.markRead(thread, by: reader, at: now, on: db)
            try await live.append(thread.update("thread.read", ThreadRead(threadId: thread.id, readerId: reader, unreadCount: 0), for: .person(reader)), on: db)
        }
        return .ok(.init(body: .json(.init(threadId: visible.thread.id, readerId: visible.viewer.id, unreadCount: 0,
                                           readAt: EpochMillis.date(millis: now)))))
    }
}

extension MessageDraft {
    /// The thread's task list, posted whole (at creation, and by "resend client tasks").
    static func taskList(_ tasks: [TaskRecord], by author: Author) -> MessageDraft {
        let lines = tasks.map { "- [\($0.isDone ? "x" : " ")] \($0.text)" }
        return MessageDraft(kind: MessageKind.taskList, author: author, isInternal: false,
                            text: (["**Client tasks**"] + lines).joined(separator: "\n"))
    }

    /// A message listing what changed in the task list.
    static func taskUpdate(_ update: TaskUpdateRecord, by author: Author) -> MessageDraft {
        var lines = ["**Client tasks updated**"]
        for (label, texts) in [("Created", update.created), ("Completed", update.completed), ("Unchecked", update.reopened),
                               ("Renamed", update.renamed), ("Deleted", update.deleted)] where !texts.isEmpty {
            lines.append("- \(label): " + texts.joined(separator: ", "))
        }
        return MessageDraft(kind: MessageKind.taskUpdate, author: author, isInternal: false, text: lines.joined(separator: "\n"), taskUpdate: update)
    }
}

/// The `data` of a `thread.read` update, sent to the reader's own streams.
struct ThreadRead: Codable, Sendable {
    var threadId: String
    var readerId: String
    var unreadCount: Int
}
