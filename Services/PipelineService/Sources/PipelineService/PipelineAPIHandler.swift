import AtriumRuntime
import Contracts
import Foundation
import OpenAPIRuntime
import PipelineAPI

/// PipelineService's routes: the chat events receiver and what it has recorded.
struct PipelineAPIHandler: PipelineAPI.APIProtocol {
    let database: Database
    let inbox: WebhookInbox
    let states: any ChatThreadStateRepository
    /// Who may see which account, answered from the local cache.
    let directory: any AccountDirectory
    let pipelines: PipelineStore
    // -- jobs, automations and automove --
    let outbox: Outbox
    let jobs: JobStore
    let runs: AutomationRunStore
    let jobItems: any JobItems
    let downstream: any PipelineDownstream
    let clock: any JobClock
    var mover: JobMover { JobMover(jobs: jobs) }
    var views: JobViews { JobViews(items: jobItems, runs: runs) }
    // -- client items and team tasks --
    /// Client items, team tasks, their templates, and the payment provider's webhook secret.
    let items: ItemServices
    // -- export and import --
    /// The other services' templates, tags and team, asked as the caller.
    let templates: any TemplateExchange
    /// The item templates' export and import.
    let itemTemplates: any ItemTemplateExchange

    func receiveChatEvent(_ input: Operations.ReceiveChatEvent.Input) async throws -> Operations.ReceiveChatEvent.Output {
        guard case .any(let stream) = input.body else { throw PipelineError.invalidEvent("Expected a body.") }
        let applier = ChatEventApplier(states: states, jobs: jobs)
        let receipt = try await inbox.receive(
            id: input.headers.webhookId, timestamp: input.headers.webhookTimestamp, signature: input.headers.webhookSignature,
            stream: stream
        ) { tx, type, body in
            try await applier.apply(type: type, body: body, on: tx)
        }
        if receipt == .applied { outbox.signal.notify() }
        return .noContent(.init())
    }

    /// The job, when the caller may see its account: team members who see the account, and services.
    func visibleJob(_ id: String) async throws -> (Caller, JobRecord) {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind != .contact && caller.portalView == nil, "Contacts have no access to jobs.")
        guard let job = try await jobs.job(id, on: database.sql), try await directory.allows(caller, account: job.accountId, firm: job.firmId) else {
            throw PipelineError.jobNotFound(id)
        }
        return (caller, job)
    }

    func getChatThreadState(_ input: Operations.GetChatThreadState.Input) async throws -> Operations.GetChatThreadState.Output {
        let caller = try RequestScope.requireCaller()
        // Pipelines and jobs are the firm's own workings: clients never see them.
        try caller.require(caller.kind != .contact, "Contacts have no access to pipelines.")
        guard let state = try await states.find(input.path.threadId, on: database.sql),
            try await directory.allows(caller, account: state.accountId, firm: state.firmId) else {
            throw PipelineError.threadNotKnown(input.path.threadId)
        }
        return .ok(.init(body: .json(state.wire)))
    }
}

extension ChatThreadState {
    var wire: Components.Schemas.ChatThreadState {
        Components.Schemas.ChatThreadState(
            threadId: threadId, accountId: accountId, completedTasks: Int(completedTasks),
            totalTasks: Int(totalTasks), tasksCompletedEvents: Int(tasksCompletedEvents), complete: complete != 0, taskVersion: taskVersion,
            updatedAt: EpochMillis.date(millis: updatedAt))
    }
}
