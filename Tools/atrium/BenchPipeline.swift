import AccountService
import ArgumentParser
import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import SQLKit

/// `atrium bench-pipeline`: PipelineService's figures on the real five services, beside the bare
/// route of the same run: automove latency from the response to a client's last task check to the
/// job's arrival in the next stage (its row committed), and a board page of a pipeline of 50,000 jobs.
struct BenchPipeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-pipeline", abstract: "Measure PipelineService: automove latency and board pages, against a bare route.")

    @Option(help: "Jobs moved by automove, one at a time.")
    var jobs = 1_000

    @Option(help: "Jobs on the board (seeded straight into PipelineService's database).")
    var boardJobs = 50_000

    @Option(help: "Board requests timed one at a time.")
    var samples = 300

    @Option(help: "Concurrent connections for creating the jobs.")
    var concurrency = 8

    @Option(help: "Run on PostgreSQL at this URL instead of SQLite.")
    var postgres: String?

    func run() async throws {
        let secret = String(repeating: "p", count: 40)
        let (cluster, _) = try await BenchCluster.start(binDirectory: try Launcher.binDirectory(), secret: secret, postgres: postgres)
        let http = ChatBenchHTTP(connections: concurrency)
        do {
            try await measure(cluster, http: http, secret: secret)
        } catch {
            await cluster.stop()
            try? await http.shutdown()
            throw error
        }
        await cluster.stop()
        try? await http.shutdown()
        try? FileManager.default.removeItem(atPath: cluster.topology.dataDirectory)
    }

    private func measure(_ cluster: Cluster, http: ChatBenchHTTP, secret: String) async throws {
        let build = (try? Launcher.binDirectory().path.contains("/release")) == true ? "release build" : "NOT a release build (figures not comparable)"
        say("bench-pipeline: \(build), \(postgres == nil ? "SQLite" : "PostgreSQL"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let world = try await ChatBenchWorld.make(cluster, http: http, secret: secret, workers: concurrency, seconds: 5, samples: samples)
        let pipelineURL = cluster.url(.pipeline)
        let bare: @Sendable () async throws -> Void = { try await http.send(.GET, pipelineURL + "/health/live", token: nil) }
        let database = try await world.database(.pipeline)
        do {
            try await automove(world, http: http, bare: bare, database: database)
            try await board(world, http: http, bare: bare, database: database)
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// A pipeline whose first stage (automove on) sends a thread with one client task; `jobs` jobs
    /// in it; then, one job at a time, the contact checks the task and the clock runs until the
    /// job's row says it is in the second stage.
    private func automove(_ world: ChatBenchWorld, http: ChatBenchHTTP, bare: @escaping @Sendable () async throws -> Void, database: Database) async throws {
        let pipelineURL = world.cluster.url(.pipeline)
        let template = try await http.send(.POST, world.chat + "/v1/chat-templates", token: world.owner, json: [
            "name": "Bench", "subject": "[JOB_NAME]", "body": "Please confirm.", "tasks": [["text": "Confirm"]],
        ])
        guard let templateID = template["id"] as? String else { throw ValidationError("template: \(template)") }
        let pipeline = try await http.send(.POST, pipelineURL + "/v1/pipelines", token: world.owner, json: [
            "name": "Bench", "stages": [["name": "Ask", "automove": true], ["name": "Next"]],
        ])
        guard let pipelineID = pipeline["id"] as? String, let stages = pipeline["stages"] as? [[String: Any]],
              let first = stages.first?["id"] as? String, let second = stages.last?["id"] as? String else { throw ValidationError("pipeline: \(pipeline)") }
        try await http.send(.POST, pipelineURL + "/v1/pipelines/\(pipelineID)/stages/\(first)/automations", token: world.owner, json: [
            "type": "send_message", "templateId": templateID, "mode": "new_thread",
        ])
        let made = JobTasks()
        let seconds = try await ChatLoad.each(jobs, workers: concurrency) { index in
            let job = try await http.send(.POST, pipelineURL + "/v1/jobs", token: world.owner, json: [
                "accountId": world.accountID, "pipelineId": pipelineID, "name": "Job \(index)",
            ])
            guard let jobID = job["id"] as? String else { throw ValidationError("job: \(job)") }
            made.add(jobID)
        }
        say(String(format: "jobs: %d created in %.2f s (%.0f/s), each sending a thread with a task through ChatService", jobs, seconds, Double(jobs) / seconds))
        let signer = try await TokenSigner(accountSecret: world.secret)
        let contact = "Bearer " + (try await signer.issue(for: Caller(kind: .contact, subject: world.contactID, firmID: world.firmID)))
        var latencies: [Double] = []
        var baseline: [Double] = []
        for jobID in made.ids {
            let (thread, task) = try await openTask(of: jobID, world: world, http: http)
            baseline.append(try await ChatLoad.time(bare))
            try await http.send(.PATCH, world.chat + "/v1/threads/\(thread)/tasks/\(task)", token: contact, json: ["done": true])
            let checked = ContinuousClock.now
            try await waitForStage(jobID, second, database: database)
            latencies.append((ContinuousClock.now - checked).fractionalMilliseconds)
        }
        let moved = Percentiles(latencies), bareRoute = Percentiles(baseline)
        say(String(format: "automove: last check's response → job in the next stage, %d jobs one at a time: %@ = %.1f× / %.1f× the bare route (%@)",
                   moved.count, moved.text, moved.p50 / bareRoute.p50, moved.p99 / bareRoute.p99, bareRoute.text))
    }

    /// The job's thread and its one task, once the stage's automation has sent it.
    private func openTask(of job: String, world: ChatBenchWorld, http: ChatBenchHTTP) async throws -> (String, String) {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let links = try await http.send(.GET, world.cluster.url(.pipeline) + "/v1/jobs/\(job)/threads", token: world.owner)
            if let thread = (links["items"] as? [[String: Any]])?.first?["threadId"] as? String {
                let detail = try await http.send(.GET, world.chat + "/v1/threads/\(thread)", token: world.owner)
                if let task = (detail["tasks"] as? [[String: Any]])?.first?["id"] as? String { return (thread, task) }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ValidationError("job \(job) never got its thread")
    }

    private func waitForStage(_ job: String, _ stage: String, database: Database) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let row = try await database.sql.raw("SELECT stage_id FROM pipeline_jobs WHERE id = \(bind: job)").first()
            if try row?.decode(column: "stage_id", as: String.self) == stage { return }
            try await Task.sleep(for: .microseconds(200))
        }
        throw ValidationError("job \(job) did not move within a minute")
    }

    /// `boardJobs` jobs over five stages (a seventh with an assignee, an eleventh overdue), then board pages one at a time.
    private func board(_ world: ChatBenchWorld, http: ChatBenchHTTP, bare: @escaping @Sendable () async throws -> Void, database: Database) async throws {
        let pipelineURL = world.cluster.url(.pipeline)
        let pipeline = try await http.send(.POST, pipelineURL + "/v1/pipelines", token: world.owner, json: [
            "name": "Board", "stages": (1...5).map { ["name": "Stage \($0)"] },
        ])
        guard let pipelineID = pipeline["id"] as? String else { throw ValidationError("pipeline: \(pipeline)") }
        let stages = (pipeline["stages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        let assignee = Identifier.make("mem")
        let started = ContinuousClock.now
        try await BoardSeed.insert(boardJobs, pipeline: pipelineID, stages: stages, firm: world.firmID, account: world.accountID, assignee: assignee,
                                   owner: world.ownerID, into: database)
        if postgres != nil {
            // As autovacuum would have by the time a firm has 50,000 jobs: visibility map and statistics.
            try await database.sql.raw("VACUUM ANALYZE pipeline_jobs").run()
            try await database.sql.raw("VACUUM ANALYZE job_assignees").run()
        }
        say(String(format: "board: %d jobs seeded in %.1f s%@", boardJobs, (ContinuousClock.now - started).seconds,
                   postgres == nil ? "" : ", then VACUUM ANALYZE (as autovacuum would)"))
        let board = pipelineURL + "/v1/pipelines/\(pipelineID)/board"
        for (label, url) in [
            ("every stage's first page (5 × 25 cards) and counts", board),
            ("every stage's first card (5 × 1) and counts", board + "?limit=1"),
            ("one stage, a page deep in it", board + "?stageId=\(stages[2])&limit=25&cursor=" + BoardCursorText.make(enteredAt: Int64(boardJobs / 2), id: "job_")),
            ("filtered by assignee", board + "?assigneeId=\(assignee)"),
            ("filtered to overdue", board + "?overdue=true"),
        ] {
            let (measured, baseline) = try await ChatLoad.paired(samples: samples, bare: bare) {
                try await http.send(.GET, url, token: world.owner)
            }
            say(String(format: "board page, %@: %@ = %.1f× / %.1f× the bare route (%@)", label, measured.text, measured.p50 / baseline.p50,
                       measured.p99 / baseline.p99, baseline.text))
        }
    }
}

/// The jobs created, in order.
final class JobTasks: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []

    func add(_ id: String) { lock.withLock { values.append(id) } }
    var ids: [String] { lock.withLock { values } }
}

/// A cursor as the board gives them: `<enteredAt>.<id>`, base64url.
enum BoardCursorText {
    static func make(enteredAt: Int64, id: String) -> String { TextCursor.make("\(enteredAt).\(id)") }
}

/// Rows of jobs written straight into PipelineService's tables, 500 to a statement.
enum BoardSeed {
    static func insert(_ count: Int, pipeline: String, stages: [String], firm: String, account: String, assignee: String, owner: String,
                       into database: Database) async throws {
        for start in stride(from: 0, to: count, by: 500) {
            try await database.transaction { tx in
                let jobs = tx.insert(into: "pipeline_jobs").columns(
                    "id", "firm_id", "account_id", "pipeline_id", "stage_id", "entry_id", "name", "assignees", "priority", "start_date", "due_date",
                    "status", "entered_at", "created_by", "created_at", "updated_at")
                let assignees = tx.insert(into: "job_assignees").columns("job_id", "member_id", "pipeline_id", "stage_id", "status", "entered_at")
                var assigned = 0
                for index in start..<min(count, start + 500) {
                    let id = String(format: "job_%028x", index)
                    // Spread over every stage: a seventh assigned, an eleventh overdue.
                    let isAssigned = index % 7 == 0
                    let due: String? = index % 11 == 0 ? "2020-01-01" : "2099-01-01"
                    jobs.values(SQLBind(id), SQLBind(firm), SQLBind(account), SQLBind(pipeline), SQLBind(stages[index % stages.count]),
                                SQLBind("ent_\(id)"), SQLBind("Job \(index)"), SQLBind(isAssigned ? "[\"\(assignee)\"]" : "[]"), SQLBind("normal"),
                                SQLBind(String?.none), SQLBind(due), SQLBind("active"), SQLBind(Int64(index)), SQLBind(owner), SQLBind(Int64(index)),
                                SQLBind(Int64(index)))
                    if isAssigned {
                        assignees.values(SQLBind(id), SQLBind(assignee), SQLBind(pipeline), SQLBind(stages[index % stages.count]), SQLBind("active"),
                                         SQLBind(Int64(index)))
                        assigned += 1
                    }
                }
                try await jobs.run()
                if assigned > 0 { try await assignees.run() }
            }
        }
    }
}
