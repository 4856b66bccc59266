import ChatAPI
import Foundation
@testable import NotifyService
import Testing

/// SPEC "Notifications", rule by rule, on the pure rules: who is told of each chat event.
@Suite("Who is told what (rules)")
struct NotifyRulesTests {
    typealias Schemas = ChatAPI.Components.Schemas
    static let owner = FixedNotifyDirectory.owner
    static let assigned = FixedNotifyDirectory.assigned
    static let contact = FixedNotifyDirectory.contact
    static let audience = Audience(accountName: "Client & Co", firmName: "Skeleton", showContentInEmails: false,
                                   contacts: [contact], assigned: [assigned], members: [owner, assigned])

    static func author(_ id: String, _ kind: Schemas.Author.KindPayload) -> Schemas.Author { .init(id: id, kind: kind) }

    static func message(by author: Schemas.Author, startedBy: Schemas.Author = author("mem_test", .member), isInternal: Bool = false,
                        mentions: [String] = [], first: Bool = false, kind: Schemas.MessageCreatedEvent.KindPayload = .message) -> ChatEvent {
        .message(.init(threadId: "thr_1", firmId: "firm_test", accountId: "acct_1", subject: "Year-end", messageId: "msg_1", kind: kind,
                       author: author, _internal: isInternal, mentions: mentions, recipientIds: ["con_1", "con_3"], startedBy: startedBy,
                       plain: "Hello", attachmentIds: [], firstInThread: first, createdAt: Date()))
    }

    static func told(_ event: ChatEvent, _ audience: Audience = audience) -> [String: NoticeKind] {
        Dictionary(ChatNoticeRules.notices(for: event, audience: audience).map { ($0.recipient.id, $0.kind) }) { first, _ in first }
    }

    @Test("a client's message tells the thread's starter; a team reply tells the starter and the notify-on recipients, never the author")
    func replies() {
        #expect(Self.told(Self.message(by: Self.author("con_1", .contact))) == ["mem_test": .message])
        #expect(Self.told(Self.message(by: Self.author("mem_asg", .member))) == ["mem_test": .message, "con_1": .message])
        #expect(Self.told(Self.message(by: Self.author("mem_test", .member))) == ["con_1": .message], "the starter is not told of their own reply")
    }

    @Test("a new thread tells its contacts; a client's new thread tells the assigned team")
    func newThreads() {
        #expect(Self.told(Self.message(by: Self.author("mem_test", .member), first: true)) == ["con_1": .newThread])
        #expect(Self.told(Self.message(by: Self.author("con_1", .contact), startedBy: Self.author("con_1", .contact), first: true))
            == ["mem_asg": .newThread])
        #expect(Self.told(Self.message(by: Self.author("pipeline", .service), startedBy: Self.author("pipeline", .service), first: true))
            == ["mem_asg": .newThread, "con_1": .newThread], "an automation's thread belongs to the assigned team")
    }

    @Test("an internal note tells the starter and whoever it mentions, and never a contact")
    func notes() {
        let told = Self.told(Self.message(by: Self.author("mem_asg", .member), isInternal: true, mentions: ["mem_test"]))
        #expect(told == ["mem_test": .mention])
        #expect(Self.told(Self.message(by: Self.author("mem_test", .member), isInternal: true, mentions: ["mem_asg", "mem_emp"])) == ["mem_asg": .mention],
                "a mention of someone who cannot see the account tells nobody")
    }

    @Test("client task changes tell the assigned team with who and each task's state; new tasks tell the recipients")
    func tasks() {
        let change = { (actor: Schemas.Author, what: Schemas.TaskChangeRecord.ChangePayload, done: Bool) in
            ChatEvent.taskChanged(.init(threadId: "thr_1", firmId: "firm_test", accountId: "acct_1", actor: actor,
                                        startedBy: Self.author("mem_test", .member),
                                        changes: [.init(taskId: "tsk_1", text: "Bank statement", change: what, done: done)],
                                        completedTasks: done ? 1 : 0, totalTasks: 1, taskVersion: 2, subject: "Year-end",
                                        recipientIds: ["con_1"], changedAt: Date()))
        }
        let checked = ChatNoticeRules.notices(for: change(Self.author("con_1", .contact), .completed, true), audience: Self.audience)
        #expect(checked.map(\.recipient.id) == ["mem_asg"])
        #expect(checked.first?.tasks == [NoticeTask(taskId: "tsk_1", text: "Bank statement", change: "completed", done: true)])
        #expect(checked.first?.actor?.name == "Carla Client")
        #expect(Self.told(change(Self.author("mem_test", .member), .created, false)) == ["mem_asg": .taskChanged, "con_1": .pendingTasks])
        #expect(Self.told(change(Self.author("mem_asg", .member), .created, false)) == ["con_1": .pendingTasks], "the actor is not told")
    }

    @Test("the client completing every task, or uploading in the thread, tells the starter; the team doing it tells nobody")
    func completionAndUploads() {
        let completed = { (actor: Schemas.Author) in
            ChatEvent.tasksCompleted(.init(threadId: "thr_1", firmId: "firm_test", accountId: "acct_1", completedTasks: 2, totalTasks: 2,
                                           taskVersion: 3, actor: actor, jobIds: [], subject: "Year-end",
                                           startedBy: Self.author("mem_test", .member), completedAt: Date()))
        }
        #expect(Self.told(completed(Self.author("con_1", .contact))) == ["mem_test": .tasksCompleted])
        #expect(Self.told(completed(Self.author("mem_asg", .member))).isEmpty)
        let upload = { (by: Schemas.Author, isInternal: Bool) in
            ChatEvent.documentAttached(.init(threadId: "thr_1", firmId: "firm_test", accountId: "acct_1", documentId: "doc_1",
                                             name: "statement.pdf", _internal: isInternal, attachedBy: by,
                                             startedBy: Self.author("mem_test", .member), subject: "Year-end", attachedAt: Date()))
        }
        #expect(Self.told(upload(Self.author("con_1", .contact), false)) == ["mem_test": .clientUpload])
        #expect(Self.told(upload(Self.author("mem_asg", .member), false)).isEmpty)
    }

    @Test("a contact without the notify flag (absent from the audience) is told nothing")
    func notifyOff() {
        var audience = Self.audience
        audience.contacts = []
        #expect(Self.told(Self.message(by: Self.author("mem_test", .member), first: true), audience).isEmpty)
    }
}
