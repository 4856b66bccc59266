import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// SPEC "Chats" across the real processes: thread lists, archive and reopen, read state, who may
/// start a thread as the real AccountService's firm setting says, the pipeline's job route called
/// with a service token AccountService issued, job links and chat templates.
@Suite("ChatService threads (real processes)")
struct ChatThreadIntegrationTests {
    /// Every page of `query` as `chat`'s caller, following `nextCursor`: the ids of each page.
    static func pages(_ chat: ServiceHTTP, _ query: String) async throws -> [[String]] {
        var pages: [[String]] = []
        var cursor: String?
        repeat {
            let (status, page) = try await chat.send(.GET, "/v1/threads?\(query)" + (cursor.map { "&cursor=\($0)" } ?? ""))
            #expect(status == 200, "\(query): \(page)")
            pages.append(ChatCluster.ids(page))
            cursor = page["nextCursor"] as? String
        } while cursor != nil && pages.count < 20
        return pages
    }

    /// One page of `query`'s list items, by thread id.
    static func items(_ chat: ServiceHTTP, _ query: String) async throws -> [String: [String: Any]] {
        let page = try await chat.send(.GET, "/v1/threads?\(query)").json["items"] as? [[String: Any]] ?? []
        return Dictionary(page.map { ($0["id"] as? String ?? "", $0) }) { first, _ in first }
    }

    /// `object` as JSON with its keys sorted: the same bytes every time.
    static func bytes(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) }

    static func preview(_ item: [String: Any]?) -> String? { (item?["lastMessage"] as? [String: Any])?["preview"] as? String }

    @Test("newest activity first in cursor pages for each caller, previews, completed/total tasks and task filters, unread counts and mark-read, archive and reopen with their events and status filters",
          arguments: TestEngine.all)
    func listsArchiveAndReadState(engine: TestEngine) async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await IntegrationHarness.with(engine) { cluster in
                    let firm = try await ChatIntegrationTests.Firm.make(cluster)
                    let hook = try await FirmChatHook.subscribe(firm.chat, consumer: consumer, url: url)
                    let employee = try await ChatCluster.assignedEmployee(cluster, owner: firm.owner, account: firm.account, name: "lena")
                    let asContact = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)
                    let asEmployee = ServiceHTTP(base: cluster.url(.chat), token: employee.bearer)
                    let account = "accountId=\(firm.account)"

                    // Five threads, oldest first; 0, 1 and 4 with tasks. A reply then moves the oldest to the top.
                    var made: [String] = []
                    var tasks: [String: [String]] = [:]
                    for (index, texts) in [["Sign"], ["Send", "Pay"], [], [], ["Upload"]].enumerated() {
                        let thread = try await firm.chat.send(.POST, "/v1/threads", json: [
                            "accountId": firm.account, "subject": "Thread \(index)", "text": "Opening \(index)", "tasks": texts.map { ["text": $0] },
                        ])
                        #expect(thread.status == 201, "\(thread.json)")
                        let id = try #require(thread.json["id"] as? String)
                        made.append(id)
                        tasks[id] = ChatCluster.taskIDs(thread.json)
                    }
                    #expect(try await firm.chat.send(.POST, "/v1/threads/\(made[0])/messages", json: ["text": "Bumped to the top"]).status == 201)
                    let order = [made[0], made[4], made[3], made[2], made[1]]
                    #expect(try await Self.pages(firm.chat, "\(account)&limit=2") == [[made[0], made[4]], [made[3], made[2]], [made[1]]])
                    #expect(try await Self.pages(firm.chat, "limit=3").flatMap { $0 } == order, "the owner's list of every account")
                    #expect(try await Self.pages(asContact, "limit=2").flatMap { $0 } == order, "the contact's own list")
                    try await eventually("the assigned employee's list") { try await Self.pages(asEmployee, "limit=4").flatMap { $0 } == order }
                    for bad in ["limit=0", "limit=101", "cursor=nonsense", "tasks=some", "status=gone"] {
                        #expect(try await firm.chat.send(.GET, "/v1/threads?\(account)&\(bad)").status == 400, "\(bad)")
                    }

                    // Previews and completed/total tasks; task filters.
                    var items = try await Self.items(firm.chat, account)
                    #expect(Self.preview(items[made[0]]) == "Bumped to the top" && Self.preview(items[made[2]]) == "Opening 2")
                    #expect(items[made[1]]?["completedTasks"] as? Int == 0 && items[made[1]]?["totalTasks"] as? Int == 2)
                    #expect(items[made[3]]?["totalTasks"] as? Int == 0)
                    #expect(try await asContact.send(.PATCH, "/v1/threads/\(made[1])/tasks/\(tasks[made[1]]?[0] ?? "")", json: ["done": true]).status == 200)
                    #expect(try await firm.chat.send(.PATCH, "/v1/threads/\(made[4])/tasks/\(tasks[made[4]]?[0] ?? "")", json: ["done": true]).status == 200)
                    items = try await Self.items(firm.chat, account)
                    #expect(items[made[1]]?["completedTasks"] as? Int == 1 && items[made[1]]?["totalTasks"] as? Int == 2)
                    #expect(items[made[4]]?["completedTasks"] as? Int == 1 && items[made[4]]?["totalTasks"] as? Int == 1)
                    #expect(Self.preview(items[made[4]])?.contains("Upload") == true, "the task update is the thread's last message: \(String(describing: items[made[4]]))")
                    #expect(try await Self.pages(firm.chat, account).flatMap { $0 } == [made[4], made[1], made[0], made[3], made[2]],
                            "a task change is activity")
                    #expect(Set(try await Self.pages(firm.chat, "\(account)&tasks=complete").flatMap { $0 }) == [made[4]])
                    #expect(Set(try await Self.pages(firm.chat, "\(account)&tasks=incomplete").flatMap { $0 }) == [made[0], made[1]])
                    #expect(Set(try await Self.pages(firm.chat, "\(account)&tasks=with_tasks").flatMap { $0 }) == [made[0], made[1], made[4]])
                    #expect(Set(try await Self.pages(firm.chat, "\(account)&tasks=any").flatMap { $0 }) == Set(made))
                    #expect(Set(try await Self.pages(asContact, "tasks=complete").flatMap { $0 }) == [made[4]], "the contact's list filters too")

                    // Unread counts are each reader's own.
                    #expect(try await asContact.send(.POST, "/v1/threads/\(made[2])/messages", json: ["text": "Here you are"]).status == 201)
                    let unread = { (chat: ServiceHTTP) in try await Self.items(chat, account).mapValues { $0["unreadCount"] as? Int ?? -1 } }
                    var owner = try await unread(firm.chat), staff = try await unread(asEmployee), client = try await unread(asContact)
                    #expect(owner[made[2]] == 1 && owner[made[3]] == 0, "the author has read their own messages: \(owner)")
                    #expect(staff[made[2]] == 2 && staff[made[3]] == 1, "\(staff)")
                    #expect(client[made[2]] == 0 && client[made[3]] == 1, "a reply reads what came before it: \(client)")
                    let read = try await asEmployee.send(.POST, "/v1/threads/\(made[2])/read")
                    #expect(read.status == 200 && read.json["unreadCount"] as? Int == 0 && read.json["readerId"] as? String == employee.id, "\(read.json)")
                    (owner, staff, client) = (try await unread(firm.chat), try await unread(asEmployee), try await unread(asContact))
                    #expect(staff[made[2]] == 0 && staff[made[3]] == 1, "\(staff)")
                    #expect(owner[made[2]] == 1 && client[made[2]] == 0, "another reader's state is their own")
                    #expect(try await asContact.send(.GET, "/v1/threads/\(made[3])").json["unreadCount"] as? Int == 1)
                    #expect(try await asContact.send(.POST, "/v1/threads/\(made[3])/read").json["unreadCount"] as? Int == 0)
                    #expect(try await asContact.send(.GET, "/v1/threads/\(made[3])").json["unreadCount"] as? Int == 0)

                    // Archive and reopen: the team only; again changes nothing; a client's reply reopens.
                    let archivedOne = made[3]
                    #expect(try await asContact.send(.POST, "/v1/threads/\(archivedOne)/archive").status == 403)
                    let archived = try await firm.chat.send(.POST, "/v1/threads/\(archivedOne)/archive")
                    #expect(archived.status == 200 && archived.json["status"] as? String == "archived" && archived.json["archivedAt"] != nil, "\(archived.json)")
                    #expect(try await firm.chat.send(.POST, "/v1/threads/\(archivedOne)/archive").json["status"] as? String == "archived")
                    #expect(try await Self.pages(firm.chat, "\(account)&status=archived").flatMap { $0 } == [archivedOne])
                    #expect(Set(try await Self.pages(firm.chat, "\(account)&status=active").flatMap { $0 }) == Set(made).subtracting([archivedOne]))
                    #expect(Set(try await Self.pages(firm.chat, "\(account)&status=all").flatMap { $0 }) == Set(made))
                    #expect(try await Self.pages(asContact, "status=archived").flatMap { $0 } == [archivedOne], "the contact still sees it, archived")
                    let reopened = try await asEmployee.send(.POST, "/v1/threads/\(archivedOne)/reopen")
                    #expect(reopened.status == 200 && reopened.json["status"] as? String == "active" && reopened.json["archivedAt"] == nil, "\(reopened.json)")
                    #expect(try await firm.chat.send(.POST, "/v1/threads/\(archivedOne)/archive").status == 200)
                    #expect(try await asContact.send(.POST, "/v1/threads/\(archivedOne)/messages", json: ["text": "One more thing"]).status == 201)
                    #expect(try await firm.chat.send(.GET, "/v1/threads/\(archivedOne)").json["status"] as? String == "active")
                    #expect(try await Self.pages(firm.chat, "\(account)&status=archived").flatMap { $0 }.isEmpty)
                    try await hook.settled()
                    let describe = { (event: FirmChatHook.Event) -> String in
                        "\(event.data["status"] as? String ?? "?") by \((event.data["actor"] as? [String: Any])?["kind"] as? String ?? "?")/\((event.data["actor"] as? [String: Any])?["id"] as? String ?? "?")"
                    }
                    let ownerID = try #require(try await ServiceHTTP(base: cluster.url(.account), token: firm.owner).send(.GET, "/v1/me").json["id"] as? String)
                    #expect(await hook.events("chat.thread.archived", thread: archivedOne).map(describe) == Array(repeating: "archived by member/\(ownerID)", count: 2),
                            "archiving an archived thread announced nothing")
                    #expect(Set(await hook.events("chat.thread.reopened", thread: archivedOne).map(describe))
                            == ["active by member/\(employee.id)", "active by contact/\(firm.contactID)"])
                    let statusEvents = await hook.events().filter { $0.type == "chat.thread.archived" || $0.type == "chat.thread.reopened" }
                    #expect(statusEvents.count == 4, "no other thread changed status: \(statusEvents.map(\.body))")
                }
            }
        }
    }

    @Test("a contact starts a thread only while the firm allows it and always replies; the pipeline's job route with a service token; job links both ways; template refusals",
          arguments: TestEngine.all)
    func startingLinksAndTemplates(engine: TestEngine) async throws {
        try await IntegrationHarness.with(engine) { cluster in
            let firm = try await ChatIntegrationTests.Firm.make(cluster)
            let firmID = try await ChatCluster.firmID(cluster, token: firm.owner)
            let settings = ServiceHTTP(base: cluster.url(.account), token: firm.owner)
            let asContact = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)

            // The firm setting, as AccountService holds it: on by default.
            let theirs = try await asContact.send(.POST, "/v1/threads", json: ["accountId": firm.account, "subject": "A question", "text": "Can you help?"])
            #expect(theirs.status == 201 && theirs.json["recipientIds"] as? [String] == [firm.contactID], "\(theirs.json)")
            #expect((theirs.json["startedBy"] as? [String: Any])?["kind"] as? String == "contact")
            let theirID = try #require(theirs.json["id"] as? String)
            // A contact's thread with tasks is refused whatever the setting, but the reason says which way the
            // setting is as ChatService knows it: a probe that never starts a thread.
            let refusal = {
                let answer = try await asContact.send(.POST, "/v1/threads", json: [
                    "accountId": firm.account, "subject": "Probe", "text": "?", "tasks": [["text": "x"]],
                ])
                #expect(answer.status == 403, "\(answer.json)")
                return answer.json["detail"] as? String ?? ""
            }
            #expect(try await refusal().contains("Only the firm sets client tasks"))
            let off = try await settings.send(.PATCH, "/v1/firms/\(firmID)/settings", json: ["clientsMayStartChats": false])
            #expect(off.status == 200 && off.json["clientsMayStartChats"] as? Bool == false, "\(off.json)")
            try await eventually("ChatService to hear the setting is off") { try await refusal().contains("not start new ones") }
            let refused = try await asContact.send(.POST, "/v1/threads", json: ["accountId": firm.account, "subject": "Another", "text": "Hello?"])
            #expect(refused.status == 403 && (refused.json["detail"] as? String)?.contains("not start new ones") == true, "\(refused.json)")
            // Replies go on: in the firm's thread and in the one the contact started while they could.
            let firmThread = try #require(try await firm.chat.send(.POST, "/v1/threads", json: [
                "accountId": firm.account, "subject": "From the firm", "text": "Your documents, please.",
            ]).json["id"] as? String)
            #expect(try await asContact.send(.POST, "/v1/threads/\(firmThread)/messages", json: ["text": "Attached soon"]).status == 201)
            #expect(try await asContact.send(.POST, "/v1/threads/\(theirID)/messages", json: ["text": "Still there?"]).status == 201)
            #expect(Set(try await Self.pages(asContact, "limit=10").flatMap { $0 }) == [theirID, firmThread], "no refused attempt started a thread")
            #expect(try await settings.send(.PATCH, "/v1/firms/\(firmID)/settings", json: ["clientsMayStartChats": true]).status == 200)
            try await eventually("ChatService to hear the setting is on again") { try await refusal().contains("Only the firm sets client tasks") }
            #expect(try await asContact.send(.POST, "/v1/threads", json: ["accountId": firm.account, "subject": "Again", "text": "Hi"]).status == 201)

            // The pipeline's route, with the service token AccountService issues PipelineService.
            let issued = try await ServiceHTTP(base: cluster.url(.account)).send(.POST, "/v1/auth/service-token", json: [
                "service": "pipeline-service", "credential": ServiceCredential.derive(root: TestConfiguration.rootSecret, for: "pipeline-service"),
                "audience": "chat-service",
            ])
            #expect(issued.status == 200, "\(issued.json)")
            let asPipeline = ServiceHTTP(base: cluster.url(.chat), token: "Bearer " + (try #require(issued.json["accessToken"] as? String)))
            let template = try await firm.chat.send(.POST, "/v1/chat-templates", json: [
                "name": "Kick-off", "subject": "[ACCOUNT_NAME]: [JOB_NAME]", "body": "Your [JOB_NAME] has started.", "tasks": [["text": "Upload ID"]],
            ])
            #expect(template.status == 201, "\(template.json)")
            let templateID = try #require(template.json["id"] as? String)
            let job = Identifier.make("job")
            let start: [String: Any] = ["accountId": firm.account, "mode": "new_thread", "templateId": templateID, "jobName": "2025 Return"]
            // A retry sends the same bytes: the key's fingerprint is the body as sent (`ServiceHTTP`'s own encoding
            // of a dictionary need not keep its key order from one call to the next).
            let first = try await asPipeline.send(.POST, "/v1/jobs/\(job)/messages", headers: [("Idempotency-Key", "evt_1:auto_1")], raw: try Self.bytes(start))
            let retry = try await asPipeline.send(.POST, "/v1/jobs/\(job)/messages", headers: [("Idempotency-Key", "evt_1:auto_1")], raw: try Self.bytes(start))
            #expect(first.status == 201 && first.json["createdThread"] as? Bool == true && first.json["jobId"] as? String == job, "\(first.json)")
            let jobThread = try #require(first.json["threadId"] as? String)
            #expect(retry.status == 201 && retry.json["threadId"] as? String == jobThread, "a retry with the cause's key starts nothing: \(retry.json)")
            let started = try await firm.chat.send(.GET, "/v1/threads/\(jobThread)").json
            #expect(started["subject"] as? String == "Attach & Co: 2025 Return", "\(started)")
            #expect((started["startedBy"] as? [String: Any])?["kind"] as? String == "service")
            #expect(ChatCluster.taskIDs(started).count == 1)
            #expect(try await ChatCluster.messages(firm.chat, thread: jobThread).first?["text"] as? String == "Your 2025 Return has started.")
            #expect(ChatCluster.ids(try await firm.chat.send(.GET, "/v1/jobs/\(job)/threads").json, key: "threadId") == [jobThread])
            #expect(ChatCluster.ids(try await asPipeline.send(.GET, "/v1/jobs/\(job)/threads").json, key: "threadId") == [jobThread])
            let reply: [String: Any] = [
                "accountId": firm.account, "mode": "reply_latest", "text": "Next step: sign.", "tasks": [["text": "Sign the return"]],
                "reminders": ["daysUntilNext": 2, "count": 1],
            ]
            let replied = try await asPipeline.send(.POST, "/v1/jobs/\(job)/messages", headers: [("Idempotency-Key", "evt_2:auto_2")], raw: try Self.bytes(reply))
            let replayed = try await asPipeline.send(.POST, "/v1/jobs/\(job)/messages", headers: [("Idempotency-Key", "evt_2:auto_2")], raw: try Self.bytes(reply))
            #expect(replied.status == 201 && replied.json["threadId"] as? String == jobThread && replied.json["createdThread"] as? Bool == false, "\(replied.json)")
            #expect(replayed.status == 201 && replayed.json["messageId"] as? String == replied.json["messageId"] as? String && replied.json["messageId"] != nil,
                    "\(replayed.json)")
            let after = try await firm.chat.send(.GET, "/v1/threads/\(jobThread)").json
            #expect((after["tasks"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["Upload ID", "Sign the return"], "\(after)")
            #expect((after["reminders"] as? [String: Any])?["daysUntilNext"] as? Int == 2)
            #expect(try await ChatCluster.messages(firm.chat, thread: jobThread).filter { $0["text"] as? String == "Next step: sign." }.count == 1)
            // reply_latest for a job with no thread starts one; contacts never use the route; a bad job id is refused.
            let fresh = Identifier.make("job")
            let fallback = try await asPipeline.send(.POST, "/v1/jobs/\(fresh)/messages", json: [
                "accountId": firm.account, "mode": "reply_latest", "subject": "Kick-off", "text": "Hello",
            ], headers: [("Idempotency-Key", "evt_3:auto_3")])
            #expect(fallback.status == 201 && fallback.json["createdThread"] as? Bool == true && fallback.json["threadId"] as? String != jobThread, "\(fallback.json)")
            #expect(try await asContact.send(.POST, "/v1/jobs/\(job)/messages", json: ["accountId": firm.account, "mode": "new_thread", "subject": "S", "text": "x"]).status == 403)
            #expect(try await asPipeline.send(.POST, "/v1/jobs/not-a-job/messages", json: ["accountId": firm.account, "mode": "new_thread", "subject": "S", "text": "x"]).status == 400)
            #expect(try await asPipeline.send(.POST, "/v1/jobs/\(job)/messages", json: ["accountId": "acct_nowhere", "mode": "new_thread", "subject": "S", "text": "x"]).status == 404)

            // Job links: at creation and later, listed both ways, removed.
            let (jobA, jobB) = (Identifier.make("job"), Identifier.make("job"))
            let linked = try #require(try await firm.chat.send(.POST, "/v1/threads", json: [
                "accountId": firm.account, "subject": "Linked", "text": "x", "jobIds": [jobA],
            ]).json["id"] as? String)
            let link = try await firm.chat.send(.PUT, "/v1/threads/\(linked)/jobs/\(jobB)")
            #expect(link.status == 200 && link.json["jobId"] as? String == jobB && link.json["threadId"] as? String == linked, "\(link.json)")
            #expect(try await firm.chat.send(.PUT, "/v1/threads/\(linked)/jobs/\(jobB)").status == 200, "linking twice changes nothing")
            let jobsOf = { (thread: String) in Set(ChatCluster.ids(try await firm.chat.send(.GET, "/v1/threads/\(thread)/jobs").json, key: "jobId")) }
            let threadsOf = { (job: String) in try await firm.chat.send(.GET, "/v1/jobs/\(job)/threads") }
            #expect(try await jobsOf(linked) == [jobA, jobB])
            #expect((try await firm.chat.send(.GET, "/v1/threads/\(linked)/jobs").json["items"] as? [Any])?.count == 2)
            #expect(try await firm.chat.send(.PUT, "/v1/threads/\(firmThread)/jobs/\(jobA)").status == 200)
            #expect(Set(ChatCluster.ids(try await threadsOf(jobA).json, key: "threadId")) == [linked, firmThread])
            #expect(try await asContact.send(.GET, "/v1/jobs/\(jobA)/threads").status == 403)
            #expect(try await asContact.send(.GET, "/v1/threads/\(linked)/jobs").status == 403)
            #expect(try await asContact.send(.PUT, "/v1/threads/\(linked)/jobs/\(Identifier.make("job"))").status == 403)
            #expect(try await asContact.send(.DELETE, "/v1/threads/\(linked)/jobs/\(jobA)").status == 403)
            #expect(try await firm.chat.send(.PUT, "/v1/threads/\(linked)/jobs/not-a-job").status == 400)
            #expect(try await firm.chat.send(.DELETE, "/v1/threads/\(linked)/jobs/\(jobA)").status == 204)
            #expect(try await jobsOf(linked) == [jobB])
            #expect(ChatCluster.ids(try await threadsOf(jobA).json, key: "threadId") == [firmThread])
            #expect(try await firm.chat.send(.DELETE, "/v1/threads/\(firmThread)/jobs/\(jobA)").status == 204)
            #expect(try await threadsOf(jobA).status == 404, "no thread left: as if no job")

            // Templates: an unknown shortcode is refused when saved, by name; a reply takes text, never a template.
            let typo = try await firm.chat.send(.POST, "/v1/chat-templates", json: [
                "name": "Typo", "subject": "Hello [CLIENT_NAME]", "body": "Dear [CONTACT_FIRST_NAME] of [FIRM]",
            ])
            #expect(typo.status == 400 && typo.json["type"] as? String == "https://atrium.dev/problems/unknown-shortcode", "\(typo.json)")
            let detail = typo.json["detail"] as? String ?? ""
            #expect(detail.contains("[CLIENT_NAME]") && detail.contains("[FIRM]") && detail.contains("subject") && detail.contains("body"), "\(detail)")
            #expect((try await firm.chat.send(.GET, "/v1/chat-templates?search=Typo").json["items"] as? [Any])?.isEmpty == true, "nothing was saved")
            let count = try await ChatCluster.messages(firm.chat, thread: firmThread).count
            let templated = try await firm.chat.send(.POST, "/v1/threads/\(firmThread)/messages", json: ["templateId": templateID])
            #expect(templated.status == 400, "a reply from a template alone: \(templated.json)")
            let tasksBefore = ChatCluster.taskIDs(try await firm.chat.send(.GET, "/v1/threads/\(firmThread)").json)
            let withText = try await firm.chat.send(.POST, "/v1/threads/\(firmThread)/messages", json: ["text": "In my own words", "templateId": templateID])
            #expect(withText.status == 201 && withText.json["text"] as? String == "In my own words", "the template is not applied to a reply: \(withText.json)")
            #expect(ChatCluster.taskIDs(try await firm.chat.send(.GET, "/v1/threads/\(firmThread)").json) == tasksBefore, "nor its tasks")
            #expect(try await ChatCluster.messages(firm.chat, thread: firmThread).count == count + 1)
        }
    }
}
