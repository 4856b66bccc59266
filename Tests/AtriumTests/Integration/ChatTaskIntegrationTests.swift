import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// SPEC "Client tasks" across the real processes: the real AccountService answers who may see the
/// account, and a firm's own webhook subscription hears every change.
@Suite("ChatService client tasks (real processes)")
struct ChatTaskIntegrationTests {
    static let problems = "https://atrium.dev/problems/"

    /// Whether `answer` is the RFC 9457 problem `slug` with `status`.
    static func isProblem(_ answer: (status: Int, json: [String: Any]), _ status: Int, _ slug: String? = nil) -> Bool {
        answer.status == status && answer.json["status"] as? Int == status && answer.json["title"] is String
            && (slug.map { answer.json["type"] as? String == problems + $0 } ?? (answer.json["type"] is String))
    }

    @Test("tasks added at creation and later, renamed, reordered, deleted, checked and unchecked by a contact and a team member; refusals; a task-update message and chat.task.changed per change, tasks_completed and tasks_reopened at each turn, taskVersion only growing",
          arguments: TestEngine.all)
    func lifecycle(engine: TestEngine) async throws {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, url in
                try await IntegrationHarness.with(engine) { cluster in
                    let firm = try await ChatIntegrationTests.Firm.make(cluster)
                    let hook = try await FirmChatHook.subscribe(firm.chat, consumer: consumer, url: url)
                    let employee = try await ChatCluster.assignedEmployee(cluster, owner: firm.owner, account: firm.account, name: "tess")
                    let other = try await ChatCluster.otherAccount(cluster, owner: firm.owner)
                    let ownerID = try #require(try await ServiceHTTP(base: cluster.url(.account), token: firm.owner).send(.GET, "/v1/me").json["id"] as? String)
                    let asContact = ServiceHTTP(base: cluster.url(.chat), token: firm.contact)
                    let asEmployee = ServiceHTTP(base: cluster.url(.chat), token: employee.bearer)
                    let asOther = ServiceHTTP(base: cluster.url(.chat), token: other.bearer)

                    // At creation: the list, posted into the thread.
                    let made = try await firm.chat.send(.POST, "/v1/threads", json: [
                        "accountId": firm.account, "subject": "Year end", "text": "A few things, please.", "tasks": [["text": "Bank statements"]],
                    ])
                    #expect(made.status == 201, "\(made.json)")
                    let id = try #require(made.json["id"] as? String)
                    let statements = try #require(ChatCluster.taskIDs(made.json).first)
                    let path = "/v1/threads/\(id)/tasks"
                    // The employee's access reaches ChatService as AccountService's event (or its first look-up).
                    try await eventually("the assigned employee to see the thread") { try await asEmployee.send(.GET, "/v1/threads/\(id)").status == 200 }

                    // Later: the same list grows.
                    let added = try await firm.chat.send(.POST, path, json: ["tasks": [["text": "Payslips"], ["text": "Receipts"]]])
                    #expect(added.status == 200 && added.json["totalTasks"] as? Int == 3, "\(added.json)")
                    let tasks = ChatCluster.taskIDs(added.json)
                    #expect(tasks.count == 3 && tasks.first == statements, "one list, updated: \(tasks)")
                    let (payslips, receipts) = (tasks[1], tasks[2])
                    let listed = try await firm.chat.send(.GET, "/v1/threads?accountId=\(firm.account)").json["items"] as? [[String: Any]] ?? []
                    #expect(listed.count == 1 && listed.first?["totalTasks"] as? Int == 3, "\(listed)")

                    let renamed = try await firm.chat.send(.PATCH, "\(path)/\(payslips)", json: ["text": "P60 and payslips"])
                    #expect(renamed.status == 200)
                    #expect((renamed.json["tasks"] as? [[String: Any]])?.first { $0["id"] as? String == payslips }?["text"] as? String == "P60 and payslips")
                    let reordered = try await firm.chat.send(.PUT, path, json: ["taskIds": [receipts, statements, payslips]])
                    #expect(reordered.status == 200 && ChatCluster.taskIDs(reordered.json) == [receipts, statements, payslips], "\(reordered.json)")
                    #expect((reordered.json["tasks"] as? [[String: Any]])?.compactMap { $0["position"] as? Int } == [0, 1, 2])
                    #expect(Self.isProblem(try await firm.chat.send(.PUT, path, json: ["taskIds": [statements]]), 400, "invalid-request"),
                            "a reorder naming some tasks only")
                    let deleted = try await firm.chat.send(.DELETE, "\(path)/\(receipts)")
                    #expect(deleted.status == 200 && ChatCluster.taskIDs(deleted.json) == [statements, payslips], "\(deleted.json)")

                    // Checked by a contact of the account, then by a team member: complete.
                    let byContact = try await asContact.send(.PATCH, "\(path)/\(statements)", json: ["done": true])
                    #expect(byContact.status == 200 && byContact.json["completedTasks"] as? Int == 1, "\(byContact.json)")
                    let doneBy = (byContact.json["tasks"] as? [[String: Any]])?.first { $0["id"] as? String == statements }?["doneBy"] as? [String: Any]
                    #expect(doneBy?["id"] as? String == firm.contactID && doneBy?["kind"] as? String == "contact", "\(String(describing: doneBy))")
                    let complete = try await asEmployee.send(.PATCH, "\(path)/\(payslips)", json: ["done": true])
                    #expect(complete.status == 200 && complete.json["completedTasks"] as? Int == 2 && complete.json["totalTasks"] as? Int == 2)
                    // Checking a checked task changes nothing, and announces nothing.
                    let again = try await asContact.send(.PATCH, "\(path)/\(payslips)", json: ["done": true])
                    #expect(again.status == 200 && again.json["taskVersion"] as? Int == complete.json["taskVersion"] as? Int, "\(again.json)")
                    // Unchecked by the contact, checked again by the employee, then a new task from the owner.
                    #expect(try await asContact.send(.PATCH, "\(path)/\(payslips)", json: ["done": false]).json["completedTasks"] as? Int == 1)
                    #expect(try await asEmployee.send(.PATCH, "\(path)/\(payslips)", json: ["done": true]).json["completedTasks"] as? Int == 2)
                    let letter = try #require(ChatCluster.taskIDs(try await firm.chat.send(.POST, path, json: ["tasks": [["text": "Signed letter"]]]).json).last)

                    // Refusals.
                    #expect(Self.isProblem(try await asOther.send(.PATCH, "\(path)/\(statements)", json: ["done": false]), 404, "thread-not-found"),
                            "a contact of another account: as if there were no thread")
                    #expect(try await asOther.send(.GET, "/v1/threads/\(id)").status == 404)
                    #expect(Self.isProblem(try await asContact.send(.PATCH, "\(path)/\(statements)", json: ["text": "Renamed"]), 403, "forbidden"))
                    #expect(Self.isProblem(try await asContact.send(.POST, path, json: ["tasks": [["text": "More"]]]), 403, "forbidden"))
                    #expect(Self.isProblem(try await asContact.send(.PUT, path, json: ["taskIds": [payslips, statements, letter]]), 403, "forbidden"))
                    #expect(Self.isProblem(try await asContact.send(.DELETE, "\(path)/\(statements)"), 403, "forbidden"))
                    #expect(Self.isProblem(try await asContact.send(.POST, "\(path)/resend"), 403, "forbidden"))
                    #expect(Self.isProblem(try await firm.chat.send(.PATCH, "\(path)/tsk_nope", json: ["done": true]), 404, "task-not-found"))
                    #expect(Self.isProblem(try await asContact.send(.PATCH, "\(path)/tsk_nope", json: ["done": true]), 404, "task-not-found"))
                    #expect(Self.isProblem(try await firm.chat.send(.DELETE, "\(path)/tsk_nope"), 404, "task-not-found"))
                    #expect(Self.isProblem(try await firm.chat.send(.PATCH, "\(path)/\(statements)", json: [:]), 400, "invalid-request"))
                    #expect(Self.isProblem(try await firm.chat.send(.PATCH, "\(path)/\(statements)", json: ["done": "yes"]), 400))
                    #expect(Self.isProblem(try await firm.chat.send(.PATCH, "\(path)/\(statements)", json: ["text": ""]), 400))
                    #expect(Self.isProblem(try await firm.chat.send(.POST, path, json: ["tasks": [["text": "   "]]]), 400))
                    #expect(Self.isProblem(try await firm.chat.send(.POST, path, raw: Data("{\"tasks\": [".utf8)), 400))

                    // "Resend client tasks": the list as it stands.
                    let resent = try await firm.chat.send(.POST, "\(path)/resend")
                    #expect(resent.status == 201 && resent.json["kind"] as? String == "task_list", "\(resent.json)")
                    let resentText = resent.json["text"] as? String ?? ""
                    for line in ["- [x] Bank statements", "- [x] P60 and payslips", "- [ ] Signed letter"] {
                        #expect(resentText.contains(line), "\(resentText)")
                    }
                    #expect(!resentText.contains("Receipts"))

                    // Every change is told in the thread, to the contact too; a reorder and a no-op are not.
                    let expectedUpdates = [
                        "member:created=Payslips,Receipts", "member:renamed=P60 and payslips", "member:deleted=Receipts",
                        "contact:completed=Bank statements", "member:completed=P60 and payslips", "contact:reopened=P60 and payslips",
                        "member:completed=P60 and payslips", "member:created=Signed letter",
                    ]
                    for (who, reader) in [("owner", firm.chat), ("contact", asContact)] {
                        let messages = try await ChatCluster.messages(reader, thread: id)
                        #expect(messages.filter { $0["kind"] as? String == "task_update" }.map(Self.describe) == expectedUpdates, "as the \(who)")
                        let lists = messages.filter { $0["kind"] as? String == "task_list" }
                        #expect(lists.count == 2 && lists.last?["id"] as? String == resent.json["id"] as? String, "the list at creation, then resent")
                    }
                    let updateAuthors = try await ChatCluster.messages(firm.chat, thread: id).filter { $0["kind"] as? String == "task_update" }
                        .compactMap { ($0["author"] as? [String: Any])?["id"] as? String }
                    #expect(updateAuthors == [ownerID, ownerID, ownerID, firm.contactID, employee.id, firm.contactID, employee.id, ownerID])

                    // The firm's subscription: chat.task.changed per change with its actor and each task's state after it,
                    // in versions that only grow; tasks_completed at each completion, tasks_reopened at each reopening.
                    try await hook.settled()
                    let changed = await hook.events("chat.task.changed", thread: id).sorted { Self.version($0) < Self.version($1) }
                    let versions = changed.map(Self.version)
                    #expect(Set(versions).count == versions.count, "each change has its own version: \(versions)")
                    let (owner, contact, member) = ("member/\(ownerID)", "contact/\(firm.contactID)", "member/\(employee.id)")
                    let expectedChanges = [
                        "\(owner):\(payslips)=created/open,\(receipts)=created/open 0/3", "\(owner):\(payslips)=renamed/open 0/3",
                        "\(owner):\(receipts)=deleted/open 0/2", "\(contact):\(statements)=completed/done 1/2", "\(member):\(payslips)=completed/done 2/2",
                        "\(contact):\(payslips)=reopened/open 1/2", "\(member):\(payslips)=completed/done 2/2", "\(owner):\(letter)=created/open 2/3",
                    ]
                    #expect(changed.map(Self.describeChange) == expectedChanges, "\(changed.map(\.body))")

                    let completed = await hook.events("chat.thread.tasks_completed", thread: id).sorted { Self.version($0) < Self.version($1) }
                    let reopened = await hook.events("chat.thread.tasks_reopened", thread: id).sorted { Self.version($0) < Self.version($1) }
                    #expect(completed.count == 2 && reopened.count == 2, "once per turn: \(completed.map(\.body)) \(reopened.map(\.body))")
                    guard versions.count == 8, completed.count == 2, reopened.count == 2 else { return }
                    // Published by the change that made the turn, with its version.
                    #expect(completed.map(Self.version) == [versions[4], versions[6]])
                    #expect(reopened.map(Self.version) == [versions[5], versions[7]])
                    #expect(completed.allSatisfy { Self.actorID($0) == employee.id && $0.data["completedTasks"] as? Int == 2 && $0.data["totalTasks"] as? Int == 2 })
                    #expect(reopened.map(Self.actorID) == [firm.contactID, ownerID])
                    #expect(reopened.map { "\($0.data["completedTasks"] as? Int ?? -1)/\($0.data["totalTasks"] as? Int ?? -1)" } == ["1/2", "2/3"])
                    let turns = [completed[0], reopened[0], completed[1], reopened[1]].map(Self.version)
                    #expect(turns == turns.sorted() && Set(turns).count == 4, "completed, reopened, completed, reopened: \(turns)")
                    let final = try await firm.chat.send(.GET, "/v1/threads/\(id)").json
                    #expect(final["taskVersion"] as? Int == versions.last, "the thread's version is the last change's")
                    #expect(final["completedTasks"] as? Int == 2 && final["totalTasks"] as? Int == 3)
                }
            }
        }
    }

    static func version(_ event: FirmChatHook.Event) -> Int { event.data["taskVersion"] as? Int ?? -1 }

    static func actorID(_ event: FirmChatHook.Event) -> String { (event.data["actor"] as? [String: Any])?["id"] as? String ?? "" }

    /// `<actor kind>/<actor id>:<task>=<change>/<done|open>,… <completed>/<total>`.
    static func describeChange(_ event: FirmChatHook.Event) -> String {
        let changes = (event.data["changes"] as? [[String: Any]] ?? []).map {
            "\($0["taskId"] as? String ?? "?")=\($0["change"] as? String ?? "?")/\($0["done"] as? Bool == true ? "done" : "open")"
        }
        let kind = (event.data["actor"] as? [String: Any])?["kind"] as? String ?? "?"
        return "\(kind)/\(actorID(event)):\(changes.joined(separator: ",")) \(event.data["completedTasks"] as? Int ?? -1)/\(event.data["totalTasks"] as? Int ?? -1)"
    }

    /// A task-update message as `<author kind>:<what>=<task texts>`.
    static func describe(_ message: [String: Any]) -> String {
        let update = message["taskUpdate"] as? [String: Any] ?? [:]
        let parts = ["created", "completed", "reopened", "renamed", "deleted"].compactMap { key -> String? in
            guard let texts = update[key] as? [String], !texts.isEmpty else { return nil }
            return "\(key)=\(texts.joined(separator: ","))"
        }
        return "\((message["author"] as? [String: Any])?["kind"] as? String ?? "?"):\(parts.joined(separator: ";"))"
    }
}
