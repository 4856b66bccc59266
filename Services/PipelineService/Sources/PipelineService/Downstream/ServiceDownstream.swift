import AccountAPI
import AtriumRuntime
import ChatAPI
import DocAPI
import Foundation
import NotifyAPI
import OpenAPIRuntime

/// `PipelineDownstream` over HTTP, with PipelineService's service token on every call.
struct ServiceDownstream: PipelineDownstream {
    let account: AccountAPI.Client
    let chat: ChatAPI.Client
    let doc: DocAPI.Client
    let notify: NotifyAPI.Client

    init(clients: ServiceClients) throws {
        account = AccountAPI.Client(serverURL: try clients.url(of: .account), transport: clients.transport, middlewares: clients.middlewares(for: .account))
        chat = ChatAPI.Client(serverURL: try clients.url(of: .chat), transport: clients.transport, middlewares: clients.middlewares(for: .chat))
        doc = DocAPI.Client(serverURL: try clients.url(of: .doc), transport: clients.transport, middlewares: clients.middlewares(for: .doc))
        notify = NotifyAPI.Client(serverURL: try clients.url(of: .notify), transport: clients.transport, middlewares: clients.middlewares(for: .notify))
    }

    func tags(account id: String) async throws -> Set<String>? {
        switch try await call("AccountService", { try await account.getAccountTags(path: .init(accountId: id)) }) {
        case .ok(let ok): return Set(try ok.body.json.tags.map(\.id))
        case .default(statusCode: 404, _): return nil
        case .default(let status, let response): throw Self.failure("AccountService", "reading the account's tags", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func updateTags(account id: String, add: [String], remove: [String], clear: Bool, key: String) async throws -> String {
        let change = AccountAPI.Components.Schemas.AccountTagsChange(add: add.nilIfEmpty, remove: remove.nilIfEmpty, clear: clear ? true : nil)
        let output = try await RequestScope.withCause(key) {
            try await call("AccountService", { try await account.updateAccountTags(path: .init(accountId: id), body: .json(change)) })
        }
        switch output {
        case .ok(let ok): return "Tags now: \(try ok.body.json.tags.map(\.name).sorted().joined(separator: ", "))."
        case .default(let status, let response): throw Self.failure("AccountService", "updating the account's tags", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func updateAccess(account id: String, give: [String], take: [String], key: String) async throws -> String {
        let change = AccountAPI.Components.Schemas.AccountAccessChange(give: give.nilIfEmpty, take: take.nilIfEmpty)
        let output = try await RequestScope.withCause(key) {
            try await call("AccountService", { try await account.updateAccountAccess(path: .init(accountId: id), body: .json(change)) })
        }
        switch output {
        case .ok(let ok): return "\(try ok.body.json.assignedMemberIds.count) team members assigned."
        case .default(let status, let response): throw Self.failure("AccountService", "updating the account's access", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func applyFolderTemplate(account id: String, template: String, key: String) async throws -> String {
        let output = try await RequestScope.withCause(key) {
            try await call("DocService", { try await doc.applyFolderTemplate(path: .init(accountId: id, templateId: template)) })
        }
        switch output {
        case .ok(let ok):
            let applied = try ok.body.json
            return "\(applied.created.count) folders made, \(applied.reused.count) already there."
        case .default(let status, let response): throw Self.failure("DocService", "applying the folder template", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func sendEmail(account id: String, template: String, jobName: String, key: String) async throws -> String {
        let output = try await call("NotifyService", {
            try await notify.sendTemplateEmail(path: .init(accountId: id), headers: .init(idempotencyKey: key),
                                               body: .json(.init(templateId: template, jobName: jobName)))
        })
        switch output {
        case .created(let created): return "\(try created.body.json.items.count) e-mails queued."
        case .default(let status, let response): throw Self.failure("NotifyService", "sending the e-mail", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func sendMessage(_ message: JobMessage, key: String) async throws -> SentMessage {
        let input = ChatAPI.Components.Schemas.JobMessageInput(
            accountId: message.accountID, mode: message.mode == "reply_latest" ? .replyLatest : .newThread, templateId: message.templateID,
            jobName: message.jobName, reminders: message.reminders.map { .init(daysUntilNext: $0.everyDays, count: $0.times) })
        let output = try await call("ChatService", {
            try await chat.sendJobMessage(path: .init(jobId: message.jobID), headers: .init(idempotencyKey: key), body: .json(input))
        })
        switch output {
        case .created(let created):
            let result = try created.body.json
            return SentMessage(threadID: result.threadId, createdThread: result.createdThread)
        case .default(let status, let response): throw Self.failure("ChatService", "sending the message", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func thread(_ id: String) async throws -> ThreadFacts? {
        switch try await call("ChatService", { try await chat.getThread(path: .init(threadId: id)) }) {
        case .ok(let ok):
            let thread = try ok.body.json
            return ThreadFacts(id: thread.id, firmID: thread.firmId, accountID: thread.accountId, subject: thread.subject,
                               completedTasks: thread.completedTasks, totalTasks: thread.totalTasks, taskVersion: thread.taskVersion,
                               archived: thread.status == .archived)
        case .default(statusCode: 404, _): return nil
        case .default(let status, let response): throw Self.failure("ChatService", "reading the thread", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func link(thread: String, job: String) async throws {
        switch try await call("ChatService", { try await chat.linkJob(path: .init(threadId: thread, jobId: job)) }) {
        case .ok: return
        case .default(let status, let response): throw Self.failure("ChatService", "linking the thread", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func unlink(thread: String, job: String) async throws {
        switch try await call("ChatService", { try await chat.unlinkJob(path: .init(threadId: thread, jobId: job)) }) {
        case .noContent, .default(statusCode: 404, _): return
        case .default(let status, let response): throw Self.failure("ChatService", "unlinking the thread", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    func archive(thread: String) async throws {
        switch try await call("ChatService", { try await chat.archiveThread(path: .init(threadId: thread)) }) {
        case .ok, .default(statusCode: 404, _): return
        case .default(let status, let response): throw Self.failure("ChatService", "archiving the thread", status, (try? response.body.applicationProblemJson)?.detail)
        }
    }

    private func call<Output>(_ service: String, _ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch let error as DownstreamError {
            throw error
        } catch {
            throw DownstreamError.unavailable("\(service) cannot be reached.")
        }
    }

    /// A refusal (a 4xx that says the call was wrong) or an outage (anything else), with the problem's detail.
    private static func failure(_ service: String, _ doing: String, _ status: Int, _ detail: String?) -> DownstreamError {
        let why = "\(service) answered \(status) \(doing)\(detail.map { ": " + $0 } ?? "")"
        return (400..<500).contains(status) && !transient.contains(status) ? .refused(why) : .unavailable(why)
    }

    /// 4xx answers that pass: a timeout, "the same key is still being answered" (409: the first
    /// call, cut off by a crash here, is still running there), too early, too many.
    private static let transient: Set<Int> = [408, 409, 425, 429]
}
