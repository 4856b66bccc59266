import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Testing

/// Messages, internal notes, recipients, @mentions, read state and idempotent replies.
@Suite("ChatService: messages, internal notes, recipients and mentions")
struct ChatMessageTests {
    @Test("a contact never sees an internal note: not in get, list, preview, unread count or a public event", arguments: TestEngine.all)
    func internalNotesStayInternal(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let id = try #require(try await chat.thread()["id"] as? String)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Client replied late again", "internal": true]).status == 201)
            // The team sees both; the contact sees the opening message alone.
            let team = try await chat.send(.get, "/v1/threads/\(id)").json
            #expect(team["messageCount"] as? Int == 2)
            #expect((team["lastMessage"] as? [String: Any])?["preview"] as? String == "Client replied late again")
            let seen = try await chat.send(.get, "/v1/threads/\(id)", as: chat.contact).json
            #expect(seen["messageCount"] as? Int == 1 && seen["unreadCount"] as? Int == 1)
            #expect((seen["lastMessage"] as? [String: Any])?["preview"] as? String == "Please send your bank statements.")
            let listed = try await chat.send(.get, "/v1/threads/\(id)/messages", as: chat.contact).json["items"] as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed.allSatisfy { $0["internal"] as? Bool == false })
            let summary = (try await chat.send(.get, "/v1/threads?accountId=acct_1", as: chat.contact).json["items"] as? [[String: Any]])?.first
            #expect(summary?["unreadCount"] as? Int == 1)
            #expect((summary?["lastMessage"] as? [String: Any])?["preview"] as? String == "Please send your bank statements.")
            // Nor in a public event: the note goes out as chat.note.created, which firms' subscriptions never get.
            #expect(try await chat.events("chat.message.created").allSatisfy { $0["internal"] as? Bool == false })
            #expect(try await chat.events("chat.note.created").count == 1)
            #expect(EventTypes.internalOnly.contains(EventTypes.chatNoteCreated))
            // And a contact cannot write one.
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "psst", "internal": true], as: chat.contact).status == 403)
        }
    }

    @Test("recipients must be able to receive messages; each refused one is named, and nothing is created")
    func recipients() async throws {
        try await ChatWorld.run { chat in
            let refused = try await chat.send(.post, "/v1/threads", [
                "accountId": "acct_1", "subject": "S", "text": "T", "recipientIds": ["con_noportal", "con_pending", "con_stranger", "con_1"],
            ])
            #expect(refused.status == 422)
            let detail = refused.json["detail"] as? String ?? ""
            #expect(detail.contains("Nora Noportal (con_noportal) has no portal access"), "\(detail)")
            #expect(detail.contains("Penny Pending (con_pending) has not activated their account"))
            #expect(detail.contains("con_stranger is not a contact of this account") && !detail.contains("con_1 "))
            #expect((try await chat.send(.get, "/v1/threads?accountId=acct_1").json["items"] as? [Any])?.isEmpty == true)
            // Without recipients: everyone who can receive.
            #expect(try await chat.thread()["recipientIds"] as? [String] == ["con_1"])
        }
        try await ChatWorld.run(people: FixedPeople(empty: ["acct_3"])) { chat in
            let none = try await chat.send(.post, "/v1/threads", ["accountId": "acct_3", "subject": "S", "text": "T"])
            #expect(none.status == 422 && none.json["type"] as? String == "https://atrium.dev/problems/no-eligible-recipient", "\(none.json)")
        }
    }

    @Test("@mentions name team members who may see the account; anyone else is refused by name")
    func mentions() async throws {
        try await ChatWorld.run { chat in
            let id = try #require(try await chat.thread()["id"] as? String)
            let ok = try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "@Ada @Vera have a look", "mentions": ["mem_asg", "mem_all"]])
            #expect(ok.status == 201 && ok.json["mentions"] as? [String] == ["mem_asg", "mem_all"], "\(ok.json)")
            #expect(try await chat.events("chat.message.created").last?["mentions"] as? [String] == ["mem_asg", "mem_all"])
            let refused = try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "hey", "mentions": ["mem_emp", "mem_gone", "mem_x"]])
            #expect(refused.status == 422)
            let detail = refused.json["detail"] as? String ?? ""
            #expect(detail.contains("Emil Unassigned (mem_emp) cannot see this account"), "\(detail)")
            #expect(detail.contains("Gus Gone (mem_gone) is deactivated") && detail.contains("mem_x is not a team member of this firm"))
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "hi", "mentions": ["mem_asg"]], as: chat.contact).status == 403)
            #expect(try await chat.send(.get, "/v1/threads/\(id)").json["messageCount"] as? Int == 2, "refused messages were stored")
        }
    }

    @Test("read state is per reader: unread counts, mark read, one's own messages are read", arguments: TestEngine.all)
    func readState(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let id = try #require(try await chat.thread()["id"] as? String)
            #expect(try await chat.send(.get, "/v1/threads/\(id)").json["unreadCount"] as? Int == 0, "the author has read their own message")
            #expect(try await chat.send(.get, "/v1/threads/\(id)", as: chat.assigned).json["unreadCount"] as? Int == 1)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Here they are"], as: chat.contact).status == 201)
            #expect(try await chat.send(.get, "/v1/threads/\(id)").json["unreadCount"] as? Int == 1)
            #expect(try await chat.send(.get, "/v1/threads/\(id)", as: chat.assigned).json["unreadCount"] as? Int == 2)
            let read = try await chat.send(.post, "/v1/threads/\(id)/read", as: chat.assigned)
            #expect(read.status == 200 && read.json["unreadCount"] as? Int == 0)
            #expect(try await chat.send(.get, "/v1/threads/\(id)", as: chat.assigned).json["unreadCount"] as? Int == 0)
            #expect(try await chat.send(.get, "/v1/threads/\(id)").json["unreadCount"] as? Int == 1, "another reader's state is their own")
            #expect(try await chat.send(.get, "/v1/threads/\(id)", as: chat.contact).json["unreadCount"] as? Int == 0)
        }
    }

    @Test("a reply honours Idempotency-Key: the same key and body post once")
    func idempotentReply() async throws {
        try await ChatWorld.run { chat in
            let id = try #require(try await chat.thread()["id"] as? String)
            let first = try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Thanks!"], idempotencyKey: "reply-1")
            let again = try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Thanks!"], idempotencyKey: "reply-1")
            #expect(first.status == 201 && again.status == 201 && first.json["id"] as? String == again.json["id"] as? String)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Other"], idempotencyKey: "reply-1").status == 422)
            #expect(try await chat.send(.get, "/v1/threads/\(id)").json["messageCount"] as? Int == 2)
        }
    }

    @Test("a retry whose idempotency record was lost (the service died in between) still posts and starts once", arguments: TestEngine.all)
    func keysKeptWithTheRows(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let body: [String: Any] = ["accountId": "acct_1", "subject": "Once", "text": "Only one"]
            let thread = try await chat.send(.post, "/v1/threads", body, idempotencyKey: "start-1")
            let id = try #require(thread.json["id"] as? String)
            let reply = try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Once"], idempotencyKey: "reply-1")
            try await chat.forgetIdempotencyRecords()
            #expect(try await chat.send(.post, "/v1/threads", body, idempotencyKey: "start-1").json["id"] as? String == id)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "Once"], idempotencyKey: "reply-1").json["id"] as? String
                    == reply.json["id"] as? String)
            #expect(try await chat.send(.get, "/v1/threads/\(id)").json["messageCount"] as? Int == 2)
            #expect((try await chat.send(.get, "/v1/threads?accountId=acct_1").json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("message input is checked: text, ids, attachments of other accounts")
    func validation() async throws {
        try await ChatWorld.run { chat in
            let id = try #require(try await chat.thread()["id"] as? String)
            for (body, status) in [
                (["text": "   "] as [String: Any], 400), (["text": String(repeating: "a", count: 20_001)], 400),
                (["text": "x", "mentions": ["bad id"]], 400), (["text": "x", "attachments": ["doc_nowhere"]], 422), (["internal": true], 400),
            ] {
                let answer = try await chat.send(.post, "/v1/threads/\(id)/messages", body)
                #expect(answer.status == status, "\(body): \(answer.json)")
            }
            let hostile = try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "**Hi** <script>alert(1)</script> [x](javascript:alert(1))\nsecond line"])
            #expect(hostile.status == 201 && hostile.json["text"] as? String == "**Hi** <script>alert(1)</script> [x](javascript:alert(1))\nsecond line")
            let html = hostile.json["html"] as? String ?? ""
            #expect(html.contains("<strong>Hi</strong>") && !html.contains("<script") && !html.contains("href=\"javascript"), "\(html)")
            let preview = (try await chat.send(.get, "/v1/threads/\(id)").json["lastMessage"] as? [String: Any])?["preview"] as? String ?? ""
            #expect(!preview.contains("\n") && preview.hasPrefix("Hi "), "\(preview)")
            #expect(try await chat.send(.post, "/v1/threads/thr_missing/messages", ["text": "x"]).status == 404)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "x"], as: chat.stranger).status == 404)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "x"], as: chat.otherContact).status == 404)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/messages", ["text": "x"], as: chat.unassigned).status == 404)
        }
    }
}
