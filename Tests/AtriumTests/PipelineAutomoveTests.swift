import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
@testable import PipelineService
import Testing

/// Automove (SPEC "Automove"): a job moves on by itself once every client task of the threads
/// linked in its stage is checked — asked of ChatService again before it moves — exactly once,
/// never backwards; threads without tasks block nothing; a person moving a job says what becomes
/// of unfinished items.
@Suite("PipelineService: automove and moving by hand")
struct PipelineAutomoveTests {
    static let business = Identifier.make("tag")

    /// A pipeline whose first stage sends a new thread with `tasks` client tasks; automove on stage one.
    static func setup(_ w: PipelineWorld, tasks: Int, stages extra: [[String: Any]] = [["name": "Preparation"], ["name": "Filed"]]) async throws
        -> (pipeline: String, stages: [String], template: String) {
        let template = Identifier.make("ctpl")
        w.downstream.setTasks(template: template, count: tasks)
        let (pipeline, stages) = try await w.pipeline([["name": "Documents", "automove": true]] + extra)
        try await w.automation(pipeline, stages[0], ["type": "send_message", "templateId": template, "mode": "new_thread"])
        return (pipeline, stages, template)
    }

    /// The thread the job's first automation started.
    static func thread(_ w: PipelineWorld, job: String) async throws -> String {
        let links = try await w.send(.get, "/v1/jobs/\(job)/threads").json["items"] as? [[String: Any]] ?? []
        return try #require(links.first?["threadId"] as? String)
    }

    @Test("the last task checked moves the job once; repeated, late and reordered events never move it twice or back", arguments: TestEngine.all)
    func movesOnce(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (pipeline, stages, _) = try await Self.setup(w, tasks: 3)
            let job = try #require(try await w.newJob(pipeline)["id"] as? String)
            _ = try await w.settled(job, count: 1)
            let thread = try await Self.thread(w, job: job)
            let partial = try #require(w.downstream.check(thread: thread, count: 2))
            #expect(try await w.deliverTasks(partial) == 204)
            let card = try await w.job(job)
            #expect(card["stageId"] as? String == stages[0])
            #expect((card["pending"] as? [[String: Any]])?.first?["id"] as? String == thread)
            let done = try #require(w.downstream.check(thread: thread))
            let eventID = Identifier.make("msg")
            #expect(try await w.deliverTasks(done, id: eventID) == 204)
            try await eventually("the job moved") { try await w.job(job)["stageId"] as? String == stages[1] }
            // The same event again, a late partial one, and a fresh copy of the completion.
            #expect(try await w.deliverTasks(done, id: eventID) == 204)
            #expect(try await w.deliverTasks(partial) == 204)
            #expect(try await w.deliverTasks(done) == 204)
            try await Task.sleep(for: .milliseconds(300))
            let history = try await w.send(.get, "/v1/jobs/\(job)/history").json["items"] as? [[String: Any]] ?? []
            #expect(history.map { $0["stageId"] as? String } == [stages[0], stages[1]])
            #expect((history.last?["movedBy"] as? [String: Any])?["kind"] as? String == "automove")
            let moved = try await w.events(EventTypes.pipelineJobMoved)
            #expect(moved.count == 1 && moved.first?["toStageId"] as? String == stages[1])
            #expect(try await w.events(EventTypes.pipelineJobCreated).count == 1)
        }
    }

    @Test("ChatService is asked again before a move: a completion it no longer confirms moves nothing", arguments: TestEngine.all)
    func rechecks(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (pipeline, stages, _) = try await Self.setup(w, tasks: 2)
            let job = try #require(try await w.newJob(pipeline)["id"] as? String)
            _ = try await w.settled(job, count: 1)
            let thread = try await Self.thread(w, job: job)
            // An event says complete, but ChatService's thread has an open task (a newer change).
            var stale = try #require(w.downstream.thread(id: thread))
            stale.completedTasks = stale.totalTasks
            stale.taskVersion += 1
            #expect(try await w.deliverTasks(stale) == 204)
            try await eventually("ChatService was asked") { w.downstream.calls("thread").count >= 1 }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await w.job(job)["stageId"] as? String == stages[0])
        }
    }

    @Test("a thread without client tasks blocks nothing, and a stage with nothing blocking never automoves", arguments: TestEngine.all)
    func noTasks(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (pipeline, stages, _) = try await Self.setup(w, tasks: 0)
            let job = try #require(try await w.newJob(pipeline)["id"] as? String)
            _ = try await w.settled(job, count: 1)
            // A thread of the account with tasks, linked by hand, counts like an automation's.
            let handThread = Identifier.make("thr")
            w.downstream.addThread(ThreadFacts(id: handThread, firmID: "firm_test", accountID: "acct_1", subject: "Receipts", completedTasks: 0,
                                               totalTasks: 1, taskVersion: 1, archived: false))
            let (linked, link) = try await w.send(.put, "/v1/jobs/\(job)/threads/\(handThread)")
            #expect(linked == 200, "\(link)")
            #expect(w.downstream.isLinked(thread: handThread, job: job))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await w.job(job)["stageId"] as? String == stages[0])
            let done = try #require(w.downstream.check(thread: handThread))
            #expect(try await w.deliverTasks(done) == 204)
            try await eventually("the job moved") { try await w.job(job)["stageId"] as? String == stages[1] }
            // Stage two (automove off) and a stage with no blocking items stay put.
            let quiet = try #require(try await w.newJob(pipeline, account: "acct_2")["id"] as? String)
            _ = try await w.settled(quiet, count: 1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await w.job(quiet)["stageId"] as? String == stages[0])
            // Refusals: another account's thread, a thread ChatService does not know, a bad id.
            let foreign = Identifier.make("thr")
            w.downstream.addThread(ThreadFacts(id: foreign, firmID: "firm_test", accountID: "acct_2", subject: "x", completedTasks: 0, totalTasks: 0,
                                               taskVersion: 0, archived: false))
            #expect(try await w.send(.put, "/v1/jobs/\(job)/threads/\(foreign)").status == 409)
            #expect(try await w.send(.put, "/v1/jobs/\(job)/threads/\(Identifier.make("thr"))").status == 404)
            #expect(try await w.send(.put, "/v1/jobs/\(job)/threads/nope").status == 400)
            #expect(try await w.send(.put, "/v1/jobs/\(job)/threads/\(handThread)", as: "contact").status == 403)
        }
    }

    @Test("moving by hand with unfinished items is refused with the list, then keep, carry, unlink and close each do what they say",
          arguments: TestEngine.all)
    func byHand(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (pipeline, stages, _) = try await Self.setup(w, tasks: 2, stages: [["name": "Preparation", "automove": true], ["name": "Filed"]])
            func fresh(_ account: String) async throws -> (job: String, thread: String) {
                let job = try #require(try await w.newJob(pipeline, account: account)["id"] as? String)
                _ = try await w.settled(job, count: 1)
                return (job, try await Self.thread(w, job: job))
            }
            let (job, thread) = try await fresh("acct_1")
            let (refused, problem) = try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": stages[1]])
            #expect(refused == 409)
            let detail = problem["detail"] as? String ?? ""
            #expect(detail.contains(thread) && detail.contains("0 of 2") && detail.contains("carry"), "\(detail)")
            // carry: the thread blocks the new stage, so checking it moves the job on again.
            let (carried, moved) = try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": stages[1], "unfinished": "carry"])
            #expect(carried == 200 && moved["stageId"] as? String == stages[1])
            #expect((moved["pending"] as? [[String: Any]])?.first?["id"] as? String == thread)
            #expect(try await w.deliverTasks(try #require(w.downstream.check(thread: thread))) == 204)
            try await eventually("the carried thread moved it on") { try await w.job(job)["stageId"] as? String == stages[2] }
            let history = try await w.send(.get, "/v1/jobs/\(job)/history").json["items"] as? [[String: Any]] ?? []
            #expect(history.map { ($0["movedBy"] as? [String: Any])?["kind"] as? String } == ["creation", "member", "automove"])
            #expect(history[1]["unfinished"] as? String == "carry")

            // keep: linked and open, blocking nothing.
            let kept = try await fresh("acct_2")
            let (keptStatus, keptJob) = try await w.send(.post, "/v1/jobs/\(kept.job)/move", ["stageId": stages[1], "unfinished": "keep"])
            #expect(keptStatus == 200 && (keptJob["pending"] as? [Any])?.isEmpty == true)
            // unlink: unlinked here and in ChatService.
            let unlinked = try await fresh("acct_3")
            #expect(try await w.send(.post, "/v1/jobs/\(unlinked.job)/move", ["stageId": stages[2], "unfinished": "unlink"]).status == 200)
            try await eventually("ChatService unlinked it") { w.downstream.calls("unlink").count == 1 }
            #expect((try await w.send(.get, "/v1/jobs/\(unlinked.job)/threads").json["items"] as? [Any])?.isEmpty == true)
            // close: the thread archived in ChatService.
            let closed = try await fresh("acct_4")
            #expect(try await w.send(.post, "/v1/jobs/\(closed.job)/move", ["stageId": stages[2], "unfinished": "close"]).status == 200)
            try await eventually("ChatService archived it") { w.downstream.thread(id: closed.thread)?.archived == true }

            // Refusals: the stage it is in, an unknown stage, another firm's pipeline, contacts, a bad choice.
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": stages[2]]).status == 409)
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": Identifier.make("stg")]).status == 404)
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": stages[0], "unfinished": "lose"]).status == 400)
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": stages[0]], as: "contact").status == 403)
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": stages[0]], as: "stranger").status == 404)
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": stages[0]], as: "unassigned").status == 404)
            #expect(try await w.send(.post, "/v1/jobs/\(job)/move", ["stageId": stages[0]], as: "assigned").status == 200)
        }
    }
}

extension PipelineAutomoveTests {
    @Test("a thread a person links or unlinks in ChatService counts as linked here: its open tasks hold the stage until checked; a service's link, another account's thread or an unknown job change nothing",
          arguments: TestEngine.all)
    func linkedInChat(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (pipeline, stages) = try await w.pipeline([["name": "Documents", "automove": true], ["name": "Filed"]])
            let job = try #require(try await w.newJob(pipeline)["id"] as? String)
            let thread = ThreadFacts(id: Identifier.make("thr"), firmID: "firm_test", accountID: "acct_1", subject: "Papers", completedTasks: 0,
                                     totalTasks: 2, taskVersion: 1, archived: false)
            w.downstream.addThread(thread)
            let linked = { try await w.send(.get, "/v1/jobs/\(job)/threads").json["items"] as? [[String: Any]] ?? [] }
            // A service's link is PipelineService's own or an automation's: not taken up from the event.
            #expect(try await w.deliverLink(thread, job: job, actor: "service") == 204)
            #expect(try await linked().isEmpty)
            // Another account's thread, and a job that is not there, link nothing.
            var foreign = thread
            foreign.accountID = "acct_2"
            #expect(try await w.deliverLink(foreign, job: job) == 204)
            #expect(try await w.deliverLink(thread, job: Identifier.make("job")) == 204)
            #expect(try await linked().isEmpty)
            // A person's link, twice: one link, in the job's stage, holding it back.
            #expect(try await w.deliverLink(thread, job: job) == 204)
            #expect(try await w.deliverLink(thread, job: job) == 204)
            let links = try await linked()
            #expect(links.count == 1 && links.first?["threadId"] as? String == thread.id)
            let card = try await w.job(job)
            #expect(card["stageId"] as? String == stages[0])
            #expect((card["pending"] as? [[String: Any]])?.first?["id"] as? String == thread.id)
            // Its tasks checked, the job moves on.
            #expect(try await w.deliverTasks(try #require(w.downstream.check(thread: thread.id))) == 204)
            try await eventually("the job moved") { try await w.job(job)["stageId"] as? String == stages[1] }

            // Unlinked by a person: the thread no longer holds the stage.
            let second = try #require(try await w.newJob(pipeline, account: "acct_1", name: "2027 return")["id"] as? String)
            var open = thread
            open.id = Identifier.make("thr")
            open.completedTasks = 0
            w.downstream.addThread(open)
            #expect(try await w.deliverLink(open, job: second) == 204)
            #expect((try await w.job(second)["pending"] as? [[String: Any]])?.count == 1)
            #expect(try await w.deliverLink(open, job: second, linked: false) == 204)
            #expect((try await w.send(.get, "/v1/jobs/\(second)/threads").json["items"] as? [Any])?.isEmpty == true)
            #expect((try await w.job(second)["pending"] as? [Any])?.isEmpty == true)
            // Late events: a link made before it was removed here, and a removal from before a newer link, change nothing.
            let before = Date().addingTimeInterval(-60)
            #expect(try await w.deliverLink(open, job: second, at: before) == 204)
            #expect((try await w.send(.get, "/v1/jobs/\(second)/threads").json["items"] as? [Any])?.isEmpty == true, "a late link links nothing")
            #expect(try await w.send(.put, "/v1/jobs/\(second)/threads/\(open.id)").status == 200)
            #expect(try await w.deliverLink(open, job: second, linked: false, at: before) == 204)
            #expect((try await w.send(.get, "/v1/jobs/\(second)/threads").json["items"] as? [Any])?.count == 1, "a late removal removes nothing")
            // A malformed event is refused, naming its type.
            let (status) = try await w.deliverChat(EventTypes.chatThreadJobLinked, ["threadId": open.id])
            #expect(status == 400)
        }
    }

    @Test("the stage's organizer and invoice block automove with the thread: the job moves once all three are done, and cards list them",
          arguments: TestEngine.all)
    func itemsBlock(engine: TestEngine) async throws {
        try await PipelineWorld.run(engine) { w in
            let (pipeline, stages, _) = try await Self.setup(w, tasks: 1)
            func template(_ kind: String, _ content: [String: Any]) async throws -> String {
                let (status, json) = try await w.send(.post, "/v1/item-templates", ["kind": kind, "name": "\(kind) \(UUID().uuidString)", kind: content])
                #expect(status == 201, "\(json)")
                return try #require(json["id"] as? String)
            }
            let organizer = try await template("organizer", ["title": "2026 organizer", "questions": [
                ["id": "income", "prompt": "Total income", "type": "number", "required": true],
            ]])
            let invoice = try await template("invoice", ["currency": "EUR", "lineItems": [["description": "Return", "quantity": 1, "unitAmountMinor": 20_000]]])
            try await w.automation(pipeline, stages[0], ["type": "create_organizer", "templateId": organizer, "reminders": ["everyDays": 7, "times": 2]])
            try await w.automation(pipeline, stages[0], ["type": "create_invoice", "templateId": invoice])
            let job = try #require(try await w.newJob(pipeline)["id"] as? String)
            let runs = try await w.settled(job, count: 3)
            #expect(runs.allSatisfy { $0["status"] as? String == "succeeded" }, "\(runs)")
            let card = try await w.job(job)
            #expect(Set((card["pending"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }) == ["thread", "organizer", "invoice"])
            let items = try await w.send(.get, "/v1/jobs/\(job)/items").json["items"] as? [[String: Any]] ?? []
            let organizerItem = try #require(items.first { $0["kind"] as? String == "organizer" }?["id"] as? String)
            let invoiceItem = try #require(items.first { $0["kind"] as? String == "invoice" }?["id"] as? String)

            // The thread first: the items still hold the job.
            let thread = try await Self.thread(w, job: job)
            #expect(try await w.deliverTasks(try #require(w.downstream.check(thread: thread))) == 204)
            #expect(try await w.send(.put, "/v1/items/\(organizerItem)/answers", ["answers": [["questionId": "income", "value": "50000"]]],
                                     as: "contact").status == 200)
            #expect(try await w.send(.post, "/v1/items/\(organizerItem)/submit", as: "contact").status == 200)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await w.job(job)["stageId"] as? String == stages[0], "the invoice is still unpaid")
            #expect(try await w.send(.post, "/v1/items/\(invoiceItem)/payments", ["amountMinor": 20_000, "method": "card"]).status == 201)
            try await eventually("the job moved") { try await w.job(job)["stageId"] as? String == stages[1] }
            let history = try await w.send(.get, "/v1/jobs/\(job)/history").json["items"] as? [[String: Any]] ?? []
            #expect(history.count == 2)
        }
    }
}
