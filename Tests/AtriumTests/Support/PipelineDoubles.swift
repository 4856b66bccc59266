import AtriumRuntime
import Foundation
@testable import PipelineService
import Synchronization

/// ChatService, AccountService, DocService and NotifyService as PipelineService sees them, in
/// memory: tags per account, threads with client tasks, and a log of every call with its key.
final class FakeDownstream: PipelineDownstream {
    struct Call: Sendable, Equatable {
        var operation: String
        var key: String
    }

    private struct State {
        var tags: [String: Set<String>] = [:]
        var threads: [String: ThreadFacts] = [:]
        /// The threads each job's messages went to, newest last.
        var jobThreads: [String: [String]] = [:]
        var sentByKey: [String: SentMessage] = [:]
        var calls: [Call] = []
        /// Client tasks a chat template adds.
        var templateTasks: [String: Int] = [:]
        var failures: [String: [DownstreamError]] = [:]
        var links: Set<String> = []
    }

    private let state = Mutex(State())

    init(tags: [String: Set<String>] = [:]) {
        state.withLock { $0.tags = tags }
    }

    var calls: [Call] { state.withLock { $0.calls } }
    func calls(_ operation: String) -> [Call] { calls.filter { $0.operation == operation } }
    func thread(id: String) -> ThreadFacts? { state.withLock { $0.threads[id] } }
    func tagsNow(_ account: String) -> Set<String> { state.withLock { $0.tags[account] ?? [] } }
    func isLinked(thread: String, job: String) -> Bool { state.withLock { $0.links.contains("\(thread)|\(job)") } }

    func setTasks(template: String, count: Int) { state.withLock { $0.templateTasks[template] = count } }
    func setTags(_ account: String, _ tags: Set<String>) { state.withLock { $0.tags[account] = tags } }
    /// The next calls of `operation` fail with these errors, in order.
    func fail(_ operation: String, with errors: [DownstreamError]) { state.withLock { $0.failures[operation, default: []] += errors } }

    /// Adds a thread as ChatService would have it.
    func addThread(_ facts: ThreadFacts) { state.withLock { $0.threads[facts.id] = facts } }

    /// Checks `count` more of the thread's tasks (all when nil); the thread after the change.
    @discardableResult
    func check(thread id: String, count: Int? = nil) -> ThreadFacts? {
        state.withLock { state in
            guard var thread = state.threads[id] else { return nil }
            thread.completedTasks = min(thread.totalTasks, thread.completedTasks + (count ?? thread.totalTasks))
            thread.taskVersion += 1
            state.threads[id] = thread
            return thread
        }
    }

    private func enter(_ operation: String, key: String) throws {
        let failure = state.withLock { state -> DownstreamError? in
            state.calls.append(Call(operation: operation, key: key))
            guard var queued = state.failures[operation], !queued.isEmpty else { return nil }
            let first = queued.removeFirst()
            state.failures[operation] = queued
            return first
        }
        if let failure { throw failure }
    }

    func tags(account: String) async throws -> Set<String>? {
        try enter("tags", key: account)
        return state.withLock { $0.tags[account] ?? [] }
    }

    func updateTags(account: String, add: [String], remove: [String], clear: Bool, key: String) async throws -> String {
        try enter("updateTags", key: key)
        state.withLock { state in
            var tags = clear ? [] : state.tags[account] ?? []
            tags.subtract(remove)
            tags.formUnion(add)
            state.tags[account] = tags
        }
        return "tags updated"
    }

    func updateAccess(account: String, give: [String], take: [String], key: String) async throws -> String {
        try enter("updateAccess", key: key)
        return "access updated"
    }

    func applyFolderTemplate(account: String, template: String, key: String) async throws -> String {
        try enter("applyFolderTemplate", key: key)
        return "folders made"
    }

    func sendEmail(account: String, template: String, jobName: String, key: String) async throws -> String {
        try enter("sendEmail", key: key)
        return "e-mails queued"
    }

    func sendMessage(_ message: JobMessage, key: String) async throws -> SentMessage {
        try enter("sendMessage", key: key)
        return state.withLock { state in
            if let sent = state.sentByKey[key] { return sent }
            let tasks = state.templateTasks[message.templateID] ?? 0
            let sent: SentMessage
            if message.mode == "reply_latest", let latest = state.jobThreads[message.jobID]?.last, var thread = state.threads[latest] {
                thread.totalTasks += tasks
                if tasks > 0 { thread.taskVersion += 1 }
                state.threads[latest] = thread
                sent = SentMessage(threadID: latest, createdThread: false)
            } else {
                let id = Identifier.make("thr")
                state.threads[id] = ThreadFacts(id: id, firmID: "firm_test", accountID: message.accountID, subject: "From \(message.templateID)",
                                                completedTasks: 0, totalTasks: tasks, taskVersion: tasks > 0 ? 1 : 0, archived: false)
                state.jobThreads[message.jobID, default: []].append(id)
                sent = SentMessage(threadID: id, createdThread: true)
            }
            state.sentByKey[key] = sent
            return sent
        }
    }

    func thread(_ id: String) async throws -> ThreadFacts? {
        try enter("thread", key: id)
        return state.withLock { $0.threads[id] }
    }

    func link(thread: String, job: String) async throws {
        try enter("link", key: "\(thread)|\(job)")
        _ = state.withLock { $0.links.insert("\(thread)|\(job)") }
    }

    func unlink(thread: String, job: String) async throws {
        try enter("unlink", key: "\(thread)|\(job)")
        _ = state.withLock { $0.links.remove("\(thread)|\(job)") }
    }

    func archive(thread: String) async throws {
        try enter("archive", key: thread)
        state.withLock { $0.threads[thread]?.archived = true }
    }
}
