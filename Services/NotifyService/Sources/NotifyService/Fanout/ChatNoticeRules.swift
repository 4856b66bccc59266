import ChatAPI
import Foundation

/// SPEC "Notifications": who is told what about a chat event, given who may hear about the account
/// now. Pure: the fan-out job brings the audience and keeps the notices.
///
/// - The team member who started a thread hears of the client's new messages, of every reply by
///   anyone, of the client completing every task and of the client's uploads in the thread. A thread
///   the client (or an automation) started has no such member: the account's assigned team hears
///   instead.
/// - @mentioned team members hear of the message that mentions them (internal notes included).
/// - The assigned team hears of every change to client tasks, with who did it and each task's state.
/// - The thread's recipients with notify on hear of new threads, messages, tasks waiting for them
///   and reminders; never of an internal note.
/// - Nobody hears of their own action, and each person hears of one event once (a mention wins over
///   a reply).
enum ChatNoticeRules {
    static func notices(for event: ChatEvent, audience: Audience) -> [Notice] {
        var notices = NoticeList()
        switch event {
        case .message(let message): messageNotices(message, audience, into: &notices)
        case .taskChanged(let change): taskNotices(change, audience, into: &notices)
        case .tasksCompleted(let done):
            guard done.actor?.kind == .contact, done.completedTasks == done.totalTasks else { break }
            let actor = actor(done.actor, audience)
            for person in threadTeam(startedBy: done.startedBy, audience) {
                notices.add(Notice(recipient: person, kind: .tasksCompleted,
                                   title: "\(actor.name) completed every task in “\(subject(done.subject))”",
                                   summary: "\(done.completedTasks) of \(done.totalTasks) tasks done.", accountID: done.accountId,
                                   threadID: done.threadId, actor: actor), except: actor.id)
            }
        case .documentAttached(let document):
            guard document.attachedBy.kind == .contact, !document._internal else { break }
            let actor = actor(document.attachedBy, audience)
            for person in threadTeam(startedBy: document.startedBy, audience) {
                notices.add(Notice(recipient: person, kind: .clientUpload,
                                   title: "\(actor.name) uploaded \(document.name) in “\(subject(document.subject))”",
                                   summary: document.name, accountID: document.accountId, threadID: document.threadId,
                                   messageID: document.messageId, actor: actor), except: actor.id)
            }
        case .itemReminder(let due):
            // Items are the account's, not a thread's: every contact who hears about the account.
            let what = ["invoice": "invoice", "organizer": "organizer", "proposal": "proposal"][due.kind] ?? "request"
            for person in audience.contacts {
                notices.add(Notice(recipient: person, kind: .reminder, title: "Reminder: your \(what) “\(due.name)” is waiting",
                                   summary: "Reminder \(due.reminder) of \(due.of): please open your portal to finish it.",
                                   accountID: due.accountId), except: nil)
            }
        case .reminderDue(let due):
            for person in audience.contacts(among: due.recipientIds) {
                notices.add(Notice(recipient: person, kind: .reminder, title: "Reminder: “\(due.subject)”",
                                   summary: due.lastMessage.preview, accountID: due.accountId, threadID: due.threadId,
                                   messageID: due.lastMessage.id), except: nil)
            }
        }
        return notices.items
    }

    private static func messageNotices(_ message: Components.Schemas.MessageCreatedEvent, _ audience: Audience, into notices: inout NoticeList) {
        let actor = actor(message.author, audience)
        let text = preview(message.plain)
        var base = Notice(recipient: Person(id: "", kind: .member, email: "", firstName: "", lastName: ""), kind: .message, title: "",
                          summary: text, accountID: message.accountId, threadID: message.threadId, messageID: message.messageId, actor: actor)
        func notice(_ person: Person, _ kind: NoticeKind, _ title: String) -> Notice {
            var notice = base
            notice.recipient = person
            notice.kind = kind
            notice.title = title
            return notice
        }
        // Mentions first: a person mentioned and also the starter hears of the mention.
        for id in message.mentions {
            guard let person = audience.member(id) else { continue }
            notices.add(notice(person, .mention, "\(actor.name) mentioned you in “\(message.subject)”"), except: actor.id)
        }
        switch message.kind {
        case .message:
            let isNew = message.firstInThread
            if isNew, let open = message.openTasks, open > 0, !message._internal {
                base.summary += "\n\n" + (open == 1 ? "1 task is waiting for you." : "\(open) tasks are waiting for you.")
            }
            for person in threadTeam(startedBy: message.startedBy, audience) {
                let title = isNew ? "\(actor.name) started “\(message.subject)”" : "\(actor.name) replied in “\(message.subject)”"
                notices.add(notice(person, isNew ? .newThread : .message, title), except: actor.id)
            }
            guard !message._internal else { return }
            for person in audience.contacts(among: message.recipientIds) {
                let title = isNew ? "New message from \(audience.firmName): “\(message.subject)”" : "New message in “\(message.subject)”"
                notices.add(notice(person, isNew ? .newThread : .message, title), except: actor.id)
            }
        case .taskList:
            // A thread's opening list is told of with its first message (unless it is the first).
            guard !message._internal, message.author.kind != .contact, message.startsThread != true || message.firstInThread else { return }
            for person in audience.contacts(among: message.recipientIds) {
                notices.add(notice(person, .pendingTasks, "Tasks waiting for you in “\(message.subject)”"), except: actor.id)
            }
        case .taskUpdate:
            // `chat.task.changed` tells the team and the clients about the same change.
            return
        }
    }

    private static func taskNotices(_ change: Components.Schemas.TaskChangedEvent, _ audience: Audience, into notices: inout NoticeList) {
        let actor = actor(change.actor, audience)
        let tasks = change.changes.map { NoticeTask(taskId: $0.taskId, text: $0.text, change: $0.change.rawValue, done: $0.done) }
        let lines = tasks.map { "\($0.done ? "☑" : "☐") \($0.text) (\($0.change))" }.joined(separator: "\n")
        for person in audience.assigned {
            notices.add(Notice(recipient: person, kind: .taskChanged, title: "\(actor.name) changed tasks in “\(subject(change.subject))”",
                               summary: lines, accountID: change.accountId, threadID: change.threadId, actor: actor, tasks: tasks),
                        except: actor.id)
        }
        let created = tasks.filter { $0.change == "created" && !$0.done }
        guard change.actor.kind != .contact, !created.isEmpty else { return }
        for person in audience.contacts(among: change.recipientIds ?? []) {
            notices.add(Notice(recipient: person, kind: .pendingTasks, title: "New tasks for you in “\(subject(change.subject))”",
                               summary: created.map { "☐ \($0.text)" }.joined(separator: "\n"), accountID: change.accountId,
                               threadID: change.threadId, actor: actor, tasks: created), except: actor.id)
        }
    }

    /// The team members who hear of a thread's activity: its starter, or the assigned team when a
    /// client or an automation started it.
    static func threadTeam(startedBy: Components.Schemas.Author?, _ audience: Audience) -> [Person] {
        guard let startedBy, startedBy.kind == .member else { return audience.assigned }
        return audience.member(startedBy.id).map { [$0] } ?? []
    }

    static func actor(_ author: Components.Schemas.Author?, _ audience: Audience) -> NoticeActor {
        guard let author else { return NoticeActor(id: "", kind: "service", name: audience.firmName) }
        return NoticeActor(id: author.id, kind: author.kind.rawValue, name: audience.name(of: author.id, kind: author.kind.rawValue))
    }

    static func subject(_ subject: String?) -> String { subject ?? "a thread" }

    /// The first 280 characters of a message, cut at a word.
    static func preview(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count > 280 else { return trimmed }
        let cut = trimmed.prefix(280)
        return String(cut[..<(cut.lastIndex(of: " ") ?? cut.endIndex)]) + "…"
    }
}

/// Notices, at most one per person, never to the actor.
struct NoticeList {
    private(set) var items: [Notice] = []
    private var told: Set<String> = []

    mutating func add(_ notice: Notice, except actorID: String?) {
        guard notice.recipient.id != actorID, told.insert(notice.recipient.id).inserted else { return }
        items.append(notice)
    }
}
