import AtriumRuntime
import Foundation

/// What PipelineService asks of the other services: the account's tags, the automations' calls
/// and the chat threads' live task state. The real one calls them over HTTP with the service's
/// token; unit tests answer themselves.
///
/// Every call that changes something carries `key`, derived from its cause (job, stage entry,
/// automation), so a retried automation is answered from the first call instead of acting twice.
protocol PipelineDownstream: Sendable {
    /// The account's tag ids now; nil when the account is gone.
    func tags(account: String) async throws -> Set<String>?
    func updateTags(account: String, add: [String], remove: [String], clear: Bool, key: String) async throws -> String
    func updateAccess(account: String, give: [String], take: [String], key: String) async throws -> String
    func applyFolderTemplate(account: String, template: String, key: String) async throws -> String
    func sendEmail(account: String, template: String, jobName: String, key: String) async throws -> String
    func sendMessage(_ message: JobMessage, key: String) async throws -> SentMessage
    /// A thread's live state in ChatService; nil when it does not exist (or is not the firm's to see).
    func thread(_ id: String) async throws -> ThreadFacts?
    func link(thread: String, job: String) async throws
    func unlink(thread: String, job: String) async throws
    func archive(thread: String) async throws
}

/// The "send message" automation's request.
struct JobMessage: Sendable, Equatable {
    var jobID: String
    var accountID: String
    /// `new_thread` or `reply_latest`.
    var mode: String
    var templateID: String
    var jobName: String
    var reminders: AutomationConfig.Reminders?
}

/// What ChatService did with a job message.
struct SentMessage: Sendable, Equatable {
    var threadID: String
    var createdThread: Bool
}

/// A thread as ChatService has it now.
struct ThreadFacts: Sendable, Equatable {
    var id: String
    var firmID: String
    var accountID: String
    var subject: String
    var completedTasks: Int
    var totalTasks: Int
    var taskVersion: Int64
    var archived: Bool

    /// A thread blocks automove while some of its client tasks are open; one without tasks never does.
    var blocks: Bool { totalTasks > 0 && completedTasks < totalTasks }
}

/// Why a downstream call did not do its work.
enum DownstreamError: Error, Equatable, CustomStringConvertible {
    /// Refused for good (a missing template, a bad id): retrying the same call cannot help.
    case refused(String)
    /// Unreachable or failing for now: try again later.
    case unavailable(String)

    var description: String {
        switch self {
        case .refused(let why), .unavailable(let why): why
        }
    }
}
