import AtriumRuntime
import Foundation

/// Does what one automation says, for one job in one stage entry. Calls to other services carry
/// `key` (entry and automation) so a retry is answered from the first call; work kept here
/// (assignees, items) is done in the transaction that records the run, so it happens once.
struct AutomationExecutor: Sendable {
    let downstream: any PipelineDownstream
    let items: any JobItems
    let jobs: JobStore

    /// What a remote automation did.
    struct Remote: Sendable {
        var outcome: String
        /// The thread a "send message" wrote in, to link to the job.
        var threadID: String?
    }

    /// Whether the automation's work is kept by PipelineService itself.
    static func isLocal(_ type: AutomationType) -> Bool {
        switch type {
        case .updateJobAssignees, .createInvoice, .createOrganizer, .createTask, .sendProposal: true
        default: false
        }
    }

    /// The calls to other services.
    func remote(_ automation: AutomationRecord, type: AutomationType, job: JobRecord, key: String) async throws -> Remote {
        let config = automation.settings
        let template = config.templateId ?? ""
        switch type {
        case .applyFolderTemplate:
            return Remote(outcome: try await downstream.applyFolderTemplate(account: job.accountId, template: template, key: key))
        case .updateAccountTags:
            return Remote(outcome: try await downstream.updateTags(account: job.accountId, add: config.add ?? [], remove: config.remove ?? [],
                                                                   clear: config.clearTags ?? false, key: key))
        case .updateAccountAccess:
            return Remote(outcome: try await downstream.updateAccess(account: job.accountId, give: config.add ?? [], take: config.remove ?? [], key: key))
        case .sendEmail:
            return Remote(outcome: try await downstream.sendEmail(account: job.accountId, template: template, jobName: job.name, key: key))
        case .sendMessage:
            let sent = try await downstream.sendMessage(JobMessage(
                jobID: job.id, accountID: job.accountId, mode: config.mode ?? "new_thread", templateID: template, jobName: job.name,
                reminders: config.reminders), key: key)
            return Remote(outcome: sent.createdThread ? "Started thread \(sent.threadID)." : "Replied in thread \(sent.threadID).",
                          threadID: sent.threadID)
        default:
            throw DownstreamError.refused("\(type.rawValue) is not a call to another service.")
        }
    }

    /// The work kept here, in `tx`.
    func local(_ automation: AutomationRecord, type: AutomationType, job: JobRecord, key: String, at now: Int64,
               on tx: OutboxTransaction) async throws -> String {
        let config = automation.settings
        switch type {
        case .updateJobAssignees:
            guard var locked = try await jobs.job(job.id, lock: true, on: tx.sql) else { return "The job is gone." }
            let remove = Set(config.remove ?? [])
            var assignees = locked.assigneeIDs.filter { !remove.contains($0) }
            for id in config.add ?? [] where !assignees.contains(id) { assignees.append(id) }
            locked.assigneeIDs = assignees
            locked.updatedAt = now
            try await jobs.save(locked, on: tx.sql)
            return "Assignees now: \(assignees.joined(separator: ", "))."
        default:
            return try await items.create(type, templateID: config.templateId ?? "", job: job, reminders: config.reminders, key: key, on: tx)
        }
    }
}
