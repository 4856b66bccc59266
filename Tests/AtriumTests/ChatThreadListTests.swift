import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Testing

/// Thread lists (one account's and a person's across accounts), archive and reopen, job links.
@Suite("ChatService: thread lists, archive, job links")
struct ChatThreadListTests {
    static func ids(_ page: [String: Any]) -> [String] {
        (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test("newest activity first, cursor pages, task filters", arguments: TestEngine.all)
    func accountList(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            var made: [String] = []
            for index in 0..<5 {
                made.append(try #require(try await chat.thread(tasks: index < 3 ? ["Task \(index)"] : [])["id"] as? String))
            }
            // A reply moves the oldest thread to the top.
            #expect(try await chat.send(.post, "/v1/threads/\(made[0])/messages", ["text": "bump"]).status == 201)
            let first = try await chat.send(.get, "/v1/threads?accountId=acct_1&limit=2").json
            let cursor = try #require(first["nextCursor"] as? String)
            let second = try await chat.send(.get, "/v1/threads?accountId=acct_1&limit=2&cursor=\(cursor)").json
            let third = try await chat.send(.get, "/v1/threads?accountId=acct_1&limit=2&cursor=\(try #require(second["nextCursor"] as? String))").json
            #expect(Self.ids(first) + Self.ids(second) + Self.ids(third) == [made[0], made[4], made[3], made[2], made[1]])
            #expect(third["nextCursor"] == nil)
            // Check the one task of thread 1: complete; threads 0 and 2 stay incomplete; 3 and 4 have none.
            let task = try #require(chat.taskIDs(try await chat.send(.get, "/v1/threads/\(made[1])").json).first)
            #expect(try await chat.send(.patch, "/v1/threads/\(made[1])/tasks/\(task)", ["done": true]).status == 200)
            #expect(Set(Self.ids(try await chat.send(.get, "/v1/threads?accountId=acct_1&tasks=complete").json)) == [made[1]])
            #expect(Set(Self.ids(try await chat.send(.get, "/v1/threads?accountId=acct_1&tasks=incomplete").json)) == [made[0], made[2]])
            #expect(Set(Self.ids(try await chat.send(.get, "/v1/threads?accountId=acct_1&tasks=with_tasks").json)) == Set(made[0...2]))
            #expect(Self.ids(try await chat.send(.get, "/v1/threads?accountId=acct_1").json).count == 5)
            let summary = (try await chat.send(.get, "/v1/threads?accountId=acct_1&tasks=complete").json["items"] as? [[String: Any]])?.first
            #expect(summary?["completedTasks"] as? Int == 1 && summary?["totalTasks"] as? Int == 1)
            for bad in ["limit=0", "limit=101", "cursor=nonsense", "tasks=some", "status=gone"] {
                #expect(try await chat.send(.get, "/v1/threads?accountId=acct_1&\(bad)").status == 400, "\(bad)")
            }
        }
    }

    @Test("without an account: every thread the caller may see, and no other", arguments: TestEngine.all)
    func personalLists(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let one = try #require(try await chat.thread("acct_1")["id"] as? String)
            let two = try #require(try await chat.thread("acct_2")["id"] as? String)
            #expect(Set(Self.ids(try await chat.send(.get, "/v1/threads").json)) == [one, two])
            #expect(Set(Self.ids(try await chat.send(.get, "/v1/threads", as: chat.viewAll).json)) == [one, two])
            #expect(Self.ids(try await chat.send(.get, "/v1/threads", as: chat.assigned).json) == [one])
            #expect(Self.ids(try await chat.send(.get, "/v1/threads", as: chat.unassigned).json).isEmpty)
            #expect(Self.ids(try await chat.send(.get, "/v1/threads", as: chat.contact).json) == [one])
            #expect(Self.ids(try await chat.send(.get, "/v1/threads", as: chat.otherContact).json) == [two])
            #expect(Self.ids(try await chat.send(.get, "/v1/threads", as: chat.stranger).json).isEmpty)
            #expect(try await chat.send(.get, "/v1/threads?accountId=acct_2", as: chat.assigned).status == 404)
            #expect(try await chat.send(.get, "/v1/threads?accountId=acct_1", as: chat.otherContact).status == 404)
            #expect(try await chat.send(.get, "/v1/threads", as: try await TestConfiguration.serviceToken()).status == 400)
        }
    }

    @Test("archive and reopen: the team only, idempotent, events; a reply reopens; status filters", arguments: TestEngine.all)
    func archive(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let id = try #require(try await chat.thread()["id"] as? String)
            let other = try #require(try await chat.thread()["id"] as? String)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/archive", as: chat.contact).status == 403)
            let archived = try await chat.send(.post, "/v1/threads/\(id)/archive")
            #expect(archived.status == 200 && archived.json["status"] as? String == "archived" && archived.json["archivedAt"] != nil)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/archive").status == 200)
            #expect(try await chat.events("chat.thread.archived").count == 1, "archiving twice announced twice")
            #expect(Self.ids(try await chat.send(.get, "/v1/threads?accountId=acct_1&status=archived").json) == [id])
            #expect(Self.ids(try await chat.send(.get, "/v1/threads?accountId=acct_1&status=active").json) == [other])
            #expect(try await chat.send(.post, "/v1/threads/\(id)/reopen").json["status"] as? String == "active")
            #expect(try await chat.send(.post, "/v1/threads/\(id)/archive").status == 200)
            // The client writes again: the matter is live.
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "One more thing"], as: chat.contact).status == 201)
            #expect(try await chat.send(.get, "/v1/threads/\(id)").json["status"] as? String == "active")
            let reopened = try await chat.events("chat.thread.reopened")
            #expect(reopened.count == 2 && (reopened.last?["actor"] as? [String: Any])?["kind"] as? String == "contact")
        }
    }

    @Test("job links: at creation and later, listed both ways, removed; the team only", arguments: TestEngine.all)
    func jobLinks(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let job = Identifier.make("job"), other = Identifier.make("job")
            let id = try #require(try await chat.thread(extra: ["jobIds": [job]])["id"] as? String)
            #expect(try await chat.events("chat.thread.created").first?["jobIds"] as? [String] == [job])
            #expect(try await chat.send(.put, "/v1/threads/\(id)/jobs/\(other)").status == 200)
            #expect(try await chat.send(.put, "/v1/threads/\(id)/jobs/\(other)").status == 200)
            let links = try await chat.send(.get, "/v1/threads/\(id)/jobs").json["items"] as? [[String: Any]] ?? []
            #expect(Set(links.compactMap { $0["jobId"] as? String }) == [job, other] && links.count == 2)
            let second = try #require(try await chat.thread("acct_2")["id"] as? String)
            #expect(try await chat.send(.put, "/v1/threads/\(second)/jobs/\(job)").status == 200)
            let threads = { (token: String) in
                (try await chat.send(.get, "/v1/jobs/\(job)/threads", as: token).json["items"] as? [[String: Any]] ?? []).compactMap { $0["threadId"] as? String }
            }
            #expect(Set(try await threads(chat.owner)) == [id, second])
            #expect(try await threads(chat.assigned) == [id], "a job's threads are filtered by what the caller may see")
            #expect(try await chat.send(.get, "/v1/jobs/\(job)/threads", as: chat.contact).status == 403)
            #expect(try await chat.send(.put, "/v1/threads/\(id)/jobs/\(Identifier.make("job"))", as: chat.contact).status == 403)
            #expect(try await chat.send(.put, "/v1/threads/\(id)/jobs/not-a-job").status == 400)
            #expect(try await chat.send(.delete, "/v1/threads/\(id)/jobs/\(job)").status == 204)
            #expect(try await threads(chat.owner) == [second])
            #expect(try await chat.send(.get, "/v1/jobs/\(job)/threads", as: chat.assigned).status == 404, "no visible thread: as if no job")
            #expect(try await chat.send(.post, "/v1/threads", ["accountId": "acct_1", "subject": "S", "text": "T", "jobIds": ["nope"]]).status == 400)
        }
    }

    @Test("a link made or removed by hand is announced once, with the thread's tasks; repeats say nothing", arguments: TestEngine.all)
    func jobLinkEvents(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let job = Identifier.make("job")
            let thread = try #require(try await chat.thread(tasks: ["Sign", "Upload"])["id"] as? String)
            #expect(try await chat.send(.put, "/v1/threads/\(thread)/jobs/\(job)").status == 200)
            #expect(try await chat.send(.put, "/v1/threads/\(thread)/jobs/\(job)").status == 200)
            let linked = try await chat.events("chat.thread.job_linked")
            #expect(linked.count == 1, "linking twice announces once")
            let event = try #require(linked.first)
            #expect(event["threadId"] as? String == thread && event["jobId"] as? String == job && event["accountId"] as? String == "acct_1")
            #expect(event["totalTasks"] as? Int == 2 && event["completedTasks"] as? Int == 0 && (event["taskVersion"] as? Int ?? 0) >= 1)
            #expect((event["actor"] as? [String: Any])?["kind"] as? String == "member")
            #expect(try await chat.events("chat.thread.job_unlinked").isEmpty)
            #expect(try await chat.send(.delete, "/v1/threads/\(thread)/jobs/\(job)").status == 204)
            #expect(try await chat.send(.delete, "/v1/threads/\(thread)/jobs/\(job)").status == 204)
            let unlinked = try await chat.events("chat.thread.job_unlinked")
            #expect(unlinked.count == 1 && unlinked.first?["jobId"] as? String == job, "removing a link that is gone says nothing")
            // A contact may do neither, and nothing is announced for a refusal.
            #expect(try await chat.send(.put, "/v1/threads/\(thread)/jobs/\(job)", as: chat.contact).status == 403)
            #expect(try await chat.events("chat.thread.job_linked").count == 1)
        }
    }

    @Test("attachments: documents of the account; a client only their own uploads; hidden ones only in notes; the documents tab")
    func attachments() async throws {
        try await ChatWorld.run { chat in
            chat.catalog.add("doc_shared")
            chat.catalog.add("doc_hidden", access: "none")
            chat.catalog.add("doc_theirs", access: "none", uploader: "con_1", uploaderKind: "contact")
            chat.catalog.add("doc_elsewhere", account: "acct_2")
            let id = try #require(try await chat.thread(extra: ["attachments": ["doc_shared"]])["id"] as? String)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "See", "attachments": ["doc_hidden"]]).status == 422)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Ours", "attachments": ["doc_hidden"], "internal": true]).status == 201)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "x", "attachments": ["doc_elsewhere"]]).status == 422)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "", "attachments": ["doc_shared"]], as: chat.contact).status == 422)
            let mine = try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "", "attachments": ["doc_theirs"]], as: chat.contact)
            #expect(mine.status == 201 && (mine.json["attachments"] as? [[String: Any]])?.first?["documentId"] as? String == "doc_theirs")
            let tab = { (token: String) in
                Set((try await chat.send(.get, "/v1/threads/\(id)/documents", as: token).json["items"] as? [[String: Any]] ?? [])
                    .compactMap { $0["documentId"] as? String })
            }
            #expect(try await tab(chat.owner) == ["doc_shared", "doc_hidden", "doc_theirs"])
            #expect(try await tab(chat.contact) == ["doc_shared", "doc_theirs"], "a note's attachment shows to the team alone")
            chat.catalog.add("doc_later")
            #expect(try await chat.send(.post, "/v1/threads/\(id)/documents", ["documentId": "doc_later"], as: chat.contact).status == 403)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/documents", ["documentId": "doc_later"]).status == 200)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/documents", ["documentId": "doc_later"]).status == 200)
            #expect(try await chat.events("chat.thread.document_attached").count == 3, "shared, theirs, later — never the note's, never twice")
            #expect(try await chat.send(.delete, "/v1/threads/\(id)/documents/doc_later").status == 204)
            #expect(try await tab(chat.owner) == ["doc_shared", "doc_hidden", "doc_theirs"])
        }
    }

    @Test("an access change ChatService never heard as an event reaches a person's list the first time the account is looked up")
    func unheardAccessChange() async throws {
        let directory = ShiftingDirectory(ChatWorld.directory)
        try await ChatWorld.run(directory: directory) { chat in
            let thread = try #require(try await chat.thread("acct_2")["id"] as? String)
            #expect(Self.ids(try await chat.send(.get, "/v1/threads", as: chat.assigned).json).isEmpty)
            // AccountService assigns mem_asg to acct_2; the event never reaches ChatService.
            directory.assign("mem_asg", to: "acct_2")
            #expect(try await chat.send(.get, "/v1/threads?accountId=acct_2", as: chat.assigned).status == 200)
            #expect(Self.ids(try await chat.send(.get, "/v1/threads", as: chat.assigned).json) == [thread])
        }
    }
}
