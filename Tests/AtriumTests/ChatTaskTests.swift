import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Testing

/// Client tasks: one list per thread, changed by the team and checked by clients, each change
/// told in the thread and in events whose version only grows.
@Suite("ChatService: client tasks")
struct ChatTaskTests {
    @Test("add, rename, reorder, delete: one list, a task-update message and a chat.task.changed event each", arguments: TestEngine.all)
    func editing(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let thread = try await chat.thread(tasks: ["Bank statements"])
            let id = try #require(thread["id"] as? String)
            let added = try await chat.send(.post, "/v1/threads/\(id)/tasks", ["tasks": [["text": "Payslips"], ["text": "Receipts"]]])
            #expect(added.status == 200 && (added.json["tasks"] as? [Any])?.count == 3, "adding updates the one list")
            var tasks = chat.taskIDs(added.json)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(tasks[1])", ["text": "P60 and payslips"]).status == 200)
            let reordered = try await chat.send(.put, "/v1/threads/\(id)/tasks", ["taskIds": [tasks[2], tasks[0], tasks[1]]])
            #expect(chat.taskIDs(reordered.json) == [tasks[2], tasks[0], tasks[1]])
            #expect((reordered.json["tasks"] as? [[String: Any]])?.compactMap { $0["position"] as? Int } == [0, 1, 2])
            #expect(try await chat.send(.put, "/v1/threads/\(id)/tasks", ["taskIds": [tasks[0]]]).status == 400)
            #expect(try await chat.send(.delete, "/v1/threads/\(id)/tasks/\(tasks[2])").status == 200)
            tasks = chat.taskIDs(try await chat.send(.get, "/v1/threads/\(id)").json)
            #expect(tasks.count == 2)
            let messages = try await chat.send(.get, "/v1/threads/\(id)/messages").json["items"] as? [[String: Any]] ?? []
            let updates = messages.filter { $0["kind"] as? String == "task_update" }.compactMap { $0["taskUpdate"] as? [String: Any] }
            #expect(updates.count == 3, "add, rename and delete post a message; a reorder does not")
            #expect(updates.contains { $0["created"] as? [String] == ["Payslips", "Receipts"] })
            #expect(updates.contains { $0["renamed"] as? [String] == ["P60 and payslips"] })
            #expect(updates.contains { $0["deleted"] as? [String] == ["Receipts"] })
            let changed = try await chat.events("chat.task.changed")
            #expect(changed.count == 3)
            let versions = changed.compactMap { $0["taskVersion"] as? Int }
            #expect(versions == versions.sorted() && Set(versions).count == versions.count, "versions only grow: \(versions)")
        }
    }

    @Test("tasks_completed once when the last task is checked; tasks_reopened on uncheck or a new task", arguments: TestEngine.all)
    func completion(engine: TestEngine) async throws {
        try await ChatWorld.run(engine) { chat in
            let job = Identifier.make("job")
            let thread = try await chat.thread(tasks: ["One", "Two"], extra: ["jobIds": [job]])
            let id = try #require(thread["id"] as? String)
            let tasks = chat.taskIDs(thread)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(tasks[0])", ["done": true], as: chat.contact).status == 200)
            #expect(try await chat.events("chat.thread.tasks_completed").isEmpty)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(tasks[1])", ["done": true], as: chat.contact).status == 200)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(tasks[1])", ["done": true], as: chat.contact).status == 200)
            let completed = try await chat.events("chat.thread.tasks_completed")
            #expect(completed.count == 1, "checking a checked task again announces nothing")
            #expect(completed.first?["jobIds"] as? [String] == [job] && completed.first?["completedTasks"] as? Int == 2)
            #expect((completed.first?["actor"] as? [String: Any])?["id"] as? String == "con_1")
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(tasks[1])", ["done": false], as: chat.contact).status == 200)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(tasks[1])", ["done": true]).status == 200)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/tasks", ["tasks": [["text": "Three"]]]).status == 200)
            let reopened = try await chat.events("chat.thread.tasks_reopened")
            #expect(reopened.count == 2 && reopened.last?["totalTasks"] as? Int == 3)
            let versions = (try await chat.events("chat.thread.tasks_completed") + reopened).compactMap { $0["taskVersion"] as? Int }.sorted()
            #expect(Set(versions).count == 4, "each event has its own version: \(versions)")
            let checked = try await chat.send(.get, "/v1/threads/\(id)").json["tasks"] as? [[String: Any]] ?? []
            #expect((checked.first?["doneBy"] as? [String: Any])?["id"] as? String == "con_1")
        }
    }

    @Test("a client checks and unchecks, and may do nothing else to the list")
    func clientLimits() async throws {
        try await ChatWorld.run { chat in
            let thread = try await chat.thread(tasks: ["One"])
            let id = try #require(thread["id"] as? String)
            let task = try #require(chat.taskIDs(thread).first)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(task)", ["text": "Renamed"], as: chat.contact).status == 403)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/tasks", ["tasks": [["text": "More"]]], as: chat.contact).status == 403)
            #expect(try await chat.send(.put, "/v1/threads/\(id)/tasks", ["taskIds": [task]], as: chat.contact).status == 403)
            #expect(try await chat.send(.delete, "/v1/threads/\(id)/tasks/\(task)", as: chat.contact).status == 403)
            #expect(try await chat.send(.post, "/v1/threads/\(id)/tasks/resend", as: chat.contact).status == 403)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(task)", ["done": true], as: chat.otherContact).status == 404)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(task)", [:]).status == 400)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(task)", ["done": true], as: chat.contact).status == 200)
        }
    }

    @Test("resend posts the list as it stands into the thread")
    func resend() async throws {
        try await ChatWorld.run { chat in
            let thread = try await chat.thread(tasks: ["One", "Two"])
            let id = try #require(thread["id"] as? String)
            #expect(try await chat.send(.patch, "/v1/threads/\(id)/tasks/\(chat.taskIDs(thread)[0])", ["done": true]).status == 200)
            let resent = try await chat.send(.post, "/v1/threads/\(id)/tasks/resend")
            #expect(resent.status == 201 && resent.json["kind"] as? String == "task_list")
            #expect((resent.json["text"] as? String)?.contains("- [x] One") == true && (resent.json["text"] as? String)?.contains("- [ ] Two") == true)
            let empty = try #require(try await chat.thread()["id"] as? String)
            #expect(try await chat.send(.post, "/v1/threads/\(empty)/tasks/resend").status == 400)
        }
    }
}
