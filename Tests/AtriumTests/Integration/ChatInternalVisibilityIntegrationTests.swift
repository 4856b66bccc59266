import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// SPEC "Chats" / "People and access": internal messages are the team's alone, by every route a
/// contact has into the real ChatService — and live streams over real HTTP, resumed included.
@Suite("ChatService internal notes and live streams (real processes)")
struct ChatInternalVisibilityIntegrationTests {
    /// Whether any of `texts` shows in any of `blocks` (ids, texts, documents, in any field).
    static func leaks(_ blocks: [EventStream.Block], _ secrets: [String]) -> [String] {
        blocks.compactMap { block in secrets.contains { (block.data ?? "").contains($0) } ? block.description : nil }
    }

    static func messageIDs(_ blocks: [EventStream.Block]) -> [String] {
        blocks.filter { $0.event == "message.created" }.compactMap { $0.json["id"] as? String }
    }

    @Test("a contact never sees an internal note: thread, messages, list preview and order, unread count, documents, portal view, live and resumed streams, a firm's webhooks; the team's message reaches the contact's open stream",
          arguments: TestEngine.all)
    func notesStayWithTheTeam(engine: TestEngine) async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await IntegrationHarness.with(engine) { cluster in
                    let firm = try await ChatIntegrationTests.Firm.make(cluster)
                    let hook = try await FirmChatHook.subscribe(firm.chat, consumer: consumer, url: url)
                    let port = ChatCluster.chatPort(cluster)
                    let asContact = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)
                    let post = { (thread: String, text: String, note: Bool, attachments: [String]) in
                        let posted = try await firm.chat.send(.POST, "/v1/threads/\(thread)/messages", json: [
                            "text": text, "internal": note, "attachments": attachments,
                        ])
                        #expect(posted.status == 201, "\(posted.json)")
                        return try #require(posted.json["id"] as? String)
                    }
                    let start = { (subject: String, text: String) in
                        let made = try await firm.chat.send(.POST, "/v1/threads", json: ["accountId": firm.account, "subject": subject, "text": text])
                        #expect(made.status == 201, "\(made.json)")
                        return (try #require(made.json["id"] as? String), try #require((made.json["lastMessage"] as? [String: Any])?["id"] as? String))
                    }

                    // The older thread gets a public message, then a newer thread starts, then the older one gets a note
                    // with a document hidden from clients: by the team's activity the older thread is newest, by the contact's it is not.
                    let (older, opening) = try await start("Older", "Opening of the older thread")
                    let before = try await post(older, "Thanks, we have your statements.", false, [])
                    let (newer, _) = try await start("Newer", "Opening of the newer thread")
                    let hidden = try await MatrixWorld.uploadDocument(firm.docs, account: firm.account, folder: firm.folder, access: "none")
                    let noteText = "They always send these late"
                    let note = try await post(older, noteText, true, [hidden])
                    let secrets = [note, noteText, hidden]

                    let team = try await firm.chat.send(.GET, "/v1/threads/\(older)").json
                    #expect(team["messageCount"] as? Int == 3 && (team["lastMessage"] as? [String: Any])?["id"] as? String == note, "\(team)")
                    let seen = try await asContact.send(.GET, "/v1/threads/\(older)")
                    #expect(seen.status == 200 && seen.json["messageCount"] as? Int == 2 && seen.json["unreadCount"] as? Int == 2, "\(seen.json)")
                    #expect((seen.json["lastMessage"] as? [String: Any])?["id"] as? String == before)
                    let listed = try await ChatCluster.messages(asContact, thread: older)
                    #expect(listed.compactMap { $0["id"] as? String } == [opening, before] && listed.allSatisfy { $0["internal"] as? Bool == false })
                    #expect(try await ChatCluster.messages(firm.chat, thread: older).compactMap { $0["id"] as? String } == [opening, before, note])
                    // The lists: the note moves the thread for the team alone.
                    let teamList = try await firm.chat.send(.GET, "/v1/threads?accountId=\(firm.account)").json
                    let contactList = try await asContact.send(.GET, "/v1/threads").json
                    #expect(ChatCluster.ids(teamList) == [older, newer] && ChatCluster.ids(contactList) == [newer, older], "\(teamList) \(contactList)")
                    let summary = (contactList["items"] as? [[String: Any]])?.first { $0["id"] as? String == older }
                    #expect((summary?["lastMessage"] as? [String: Any])?["id"] as? String == before && summary?["unreadCount"] as? Int == 2, "\(String(describing: summary))")
                    #expect(ChatCluster.ids(try await asContact.send(.GET, "/v1/threads?accountId=\(firm.account)").json) == [newer, older])
                    // Documents: the note's attachment is on the team's tab alone; a contact writes no notes.
                    let tab = { (chat: ServiceHTTP) in ChatCluster.ids(try await chat.send(.GET, "/v1/threads/\(older)/documents").json, key: "documentId") }
                    let (teamTab, contactTab) = (try await tab(firm.chat), try await tab(asContact))
                    #expect(teamTab == [hidden] && contactTab.isEmpty, "\(teamTab) \(contactTab)")
                    #expect(try await asContact.send(.POST, "/v1/threads/\(older)/messages", json: ["text": "psst", "internal": true]).status == 403)
                    // A team member looking through the portal as the contact sees what the contact sees.
                    let view = try await ServiceHTTP(base: cluster.url(.account), token: firm.owner)
                        .send(.POST, "/v1/accounts/\(firm.account)/contacts/\(firm.contactID)/portal-view")
                    #expect(view.status == 201, "\(view.json)")
                    let asView = ServiceHTTP(base: cluster.url(.chat), token: "Bearer " + (try #require(view.json["accessToken"] as? String)))
                    #expect(try await ChatCluster.messages(asView, thread: older).compactMap { $0["id"] as? String } == [opening, before])
                    #expect(ChatCluster.ids(try await asView.send(.GET, "/v1/threads").json) == [newer, older])
                    // Read: a later note leaves the contact nothing unread.
                    #expect(try await asContact.send(.POST, "/v1/threads/\(older)/read").json["unreadCount"] as? Int == 0)
                    let secondNote = try await post(older, "Chase them on Friday", true, [])
                    let reread = try await asContact.send(.GET, "/v1/threads/\(older)").json
                    #expect(reread["unreadCount"] as? Int == 0 && reread["messageCount"] as? Int == 2, "\(reread)")
                    #expect((try await asContact.send(.GET, "/v1/threads").json["items"] as? [[String: Any]])?.first { $0["id"] as? String == older }?["unreadCount"] as? Int == 0)

                    // Live: streams opened now; a public message is the mark a reconnect resumes from.
                    var contactThread = try await EventStream.open(port: port, "/v1/threads/\(older)/events", as: firm.contact)
                    var contactStream = try await EventStream.open(port: port, "/v1/threads/events", as: firm.contact)
                    var teamThread = try await EventStream.open(port: port, "/v1/threads/\(older)/events", as: firm.owner)
                    #expect(contactThread.status == 200 && contactStream.status == 200 && teamThread.status == 200)
                    let mark = try await post(older, "We are on it.", false, [])
                    let marked = try await contactThread.events(throughMessage: mark)
                    #expect(Self.messageIDs(marked) == [mark], "the team's message reaches the contact's open stream: \(marked)")
                    let resumeFrom = try #require(marked.last?.id)
                    let thirdNote = try await post(older, "Third note: escalate", true, [])
                    let after = try await post(older, "Could you also send the payslips?", false, [])
                    let allSecrets = secrets + [secondNote, thirdNote, "Third note"]
                    let onThread = try await contactThread.events(throughMessage: after)
                    let onList = try await contactStream.events(throughMessage: after)
                    let onTeam = try await teamThread.events(throughMessage: after)
                    #expect(Self.messageIDs(onThread) == [after] && Self.leaks(onThread, allSecrets).isEmpty, "\(onThread)")
                    #expect(Self.messageIDs(onList) == [mark, after] && Self.leaks(onList, allSecrets).isEmpty, "\(onList)")
                    #expect(Self.messageIDs(onTeam) == [mark, thirdNote, after], "the team's stream has the note: \(onTeam)")

                    // Resumed from the mark: what was missed, as each reader may see it; then live.
                    var missed = try await EventStream.open(port: port, "/v1/threads/\(older)/events?once=true", as: firm.contact, lastEventID: resumeFrom)
                    let replay = try await missed.rest()
                    #expect(Self.messageIDs(replay) == [after] && Self.leaks(replay, allSecrets).isEmpty, "\(replay)")
                    var teamMissed = try await EventStream.open(port: port, "/v1/threads/\(older)/events?once=true", as: firm.owner, lastEventID: resumeFrom)
                    #expect(Self.messageIDs(try await teamMissed.rest()) == [thirdNote, after])
                    var listMissed = try await EventStream.open(port: port, "/v1/threads/events?once=true&lastEventId=\(resumeFrom)", as: firm.contact)
                    let listReplay = try await listMissed.rest()
                    #expect(Self.messageIDs(listReplay) == [after] && Self.leaks(listReplay, allSecrets).isEmpty, "\(listReplay)")
                    var resumed = try await EventStream.open(port: port, "/v1/threads/\(older)/events", as: firm.contact, lastEventID: resumeFrom)
                    _ = try await post(older, "A fourth note", true, [])
                    let live = try await post(older, "And the P60, please.", false, [])
                    let continued = try await resumed.events(throughMessage: live)
                    #expect(Self.messageIDs(continued) == [after, live] && Self.leaks(continued, allSecrets + ["A fourth note"]).isEmpty, "\(continued)")

                    // A firm's subscription: no note, no note's document, no way to ask for notes.
                    let asking = try await firm.chat.send(.POST, "/v1/webhooks/subscriptions", json: [
                        "url": url, "secret": TestConsumer.secret, "eventTypes": ["chat.note.created"],
                    ])
                    #expect(asking.status == 400 && (asking.json["detail"] as? String)?.contains("chat.note.created") == true, "\(asking.json)")
                    let types = try await firm.chat.send(.GET, "/v1/webhooks/event-types").json["items"] as? [String] ?? []
                    #expect(types.contains("chat.message.created") && !types.contains("chat.note.created"), "\(types)")
                    try await hook.settled()
                    let delivered = await hook.events()
                    let public_ = delivered.filter { $0.type == "chat.message.created" }.compactMap { $0.data["messageId"] as? String }
                    #expect(Set(public_).isSuperset(of: [opening, before, mark, after, live]), "the public messages reached the firm: \(public_)")
                    #expect(delivered.filter { $0.type == "chat.thread.document_attached" }.isEmpty, "the note's document was announced")
                    let leaked = delivered.filter { event in (allSecrets + ["A fourth note"]).contains { event.body.contains($0) } || event.type == "chat.note.created" }
                    #expect(leaked.isEmpty, "\(leaked.map(\.body))")
                }
            }
        }
    }
}
