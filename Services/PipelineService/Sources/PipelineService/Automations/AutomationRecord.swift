import AtriumRuntime
import Foundation
import PipelineAPI

/// The ten things a stage can do when a job enters it (SPEC "Pipelines").
enum AutomationType: String, Codable, Sendable, CaseIterable {
    case applyFolderTemplate = "apply_folder_template"
    case updateAccountTags = "update_account_tags"
    case createInvoice = "create_invoice"
    case createOrganizer = "create_organizer"
    case createTask = "create_task"
    case sendProposal = "send_proposal"
    case sendEmail = "send_email"
    case sendMessage = "send_message"
    case updateAccountAccess = "update_account_access"
    case updateJobAssignees = "update_job_assignees"

    /// Types that use a template, and so name one.
    var usesTemplate: Bool {
        switch self {
        case .updateAccountTags, .updateAccountAccess, .updateJobAssignees: false
        default: true
        }
    }

    /// Types that may remind the client (SPEC: organizer, proposal, invoice and message).
    var remindable: Bool { [.createInvoice, .createOrganizer, .sendProposal, .sendMessage].contains(self) }

    /// The id prefix of the template a type names, where the template lives in another service.
    var templatePrefix: String? {
        switch self {
        case .applyFolderTemplate: "ftpl"
        case .sendEmail: "etpl"
        case .sendMessage: "ctpl"
        default: nil
        }
    }
}

/// What one automation does, beyond its type (JSON in `automations.config`).
struct AutomationConfig: Codable, Sendable, Equatable {
    struct Reminders: Codable, Sendable, Equatable {
        var everyDays: Int
        var times: Int
    }

    var templateId: String?
    /// `send_message`: `new_thread` or `reply_latest`.
    var mode: String?
    /// Tags (update account tags) or team members (access, assignees) to add and to remove.
    var add: [String]?
    var remove: [String]?
    var clearTags: Bool?
    var reminders: Reminders?
}

/// A row of `automations`: one step of a stage, at `position` (0-based) in run order.
struct AutomationRecord: Codable, Sendable, Equatable {
    var id: String
    var pipelineId: String
    var stageId: String
    var position: Int64
    var type: String
    /// JSON of `AutomationConfig`.
    var config: String
    /// JSON of `TagCondition`, or nil: it runs for every job.
    var condition: String?

    var kind: AutomationType? { AutomationType(rawValue: type) }
    var settings: AutomationConfig { (try? JSONDecoder().decode(AutomationConfig.self, from: Data(config.utf8))) ?? AutomationConfig() }
    var tagCondition: TagCondition? { condition.flatMap { try? JSONDecoder().decode(TagCondition.self, from: Data($0.utf8)) } }

    var wire: Components.Schemas.Automation {
        let settings = self.settings
        let type = Components.Schemas.AutomationType(rawValue: type) ?? .sendEmail
        let changes = (settings.add != nil || settings.remove != nil) ? Components.Schemas.IdChanges(add: settings.add, remove: settings.remove) : nil
        let isTags = kind == .updateAccountTags
        return .init(
            id: id, _type: type, position: Int(position), templateId: settings.templateId,
            mode: settings.mode.flatMap { .init(rawValue: $0) }, tags: isTags ? changes : nil, clearTags: settings.clearTags,
            members: isTags ? nil : changes,
            reminders: settings.reminders.map { .init(everyDays: $0.everyDays, times: $0.times) },
            condition: tagCondition?.wire)
    }
}

extension TagCondition {
    var wire: Components.Schemas.TagCondition { .init(match: .init(rawValue: match.rawValue) ?? .any, tagIds: tagIds) }
}
