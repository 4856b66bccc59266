import AtriumRuntime
import Foundation
import PipelineAPI

/// What an automation must be: each type names exactly what it needs and nothing else, so a
/// mistake is refused when the pipeline is edited rather than found when a job runs it.
enum AutomationRules {
    static let maxPerStage = 50

    /// The automation `draft` describes, for `stage` of `pipeline`, checked.
    static func automation(_ draft: Components.Schemas.AutomationDraft, id: String, pipeline: String, stage: String) throws -> AutomationRecord {
        guard let type = AutomationType(rawValue: draft._type.rawValue) else { throw PipelineError.invalid("Unknown automation type.") }
        var config = AutomationConfig()
        config.templateId = try template(draft.templateId, for: type)
        config.mode = try mode(draft.mode?.rawValue, for: type)
        try changes(draft, for: type, into: &config)
        if let reminders = draft.reminders {
            guard type.remindable else { throw PipelineError.invalid("\(type.rawValue) cannot remind; reminders are for organizers, proposals, invoices and messages.") }
            guard (1...90).contains(reminders.everyDays), (1...20).contains(reminders.times) else {
                throw PipelineError.invalid("reminders: everyDays is 1 to 90 and times 1 to 20.")
            }
            config.reminders = .init(everyDays: reminders.everyDays, times: reminders.times)
        }
        let condition = try StageRules.condition(draft.condition)
        return AutomationRecord(id: id, pipelineId: pipeline, stageId: stage, position: 0, type: type.rawValue,
                                config: String(decoding: try JSONEncoder().encode(config), as: UTF8.self), condition: condition?.json)
    }

    private static func template(_ id: String?, for type: AutomationType) throws -> String? {
        guard type.usesTemplate else {
            guard id == nil else { throw PipelineError.invalid("\(type.rawValue) uses no template; leave templateId out.") }
            return nil
        }
        guard let id, !id.isEmpty else { throw PipelineError.invalid("\(type.rawValue) needs templateId.") }
        if let prefix = type.templatePrefix, !Identifier.isWellFormed(id, prefix: prefix) {
            throw PipelineError.invalid("templateId \(id.debugDescription) is not a \(prefix)_ template id, which \(type.rawValue) needs.")
        }
        guard id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PipelineError.invalid("templateId \(id.debugDescription) is not a template id.")
        }
        return id
    }

    private static func mode(_ mode: String?, for type: AutomationType) throws -> String? {
        guard type == .sendMessage else {
            guard mode == nil else { throw PipelineError.invalid("mode is for send_message only.") }
            return nil
        }
        guard let mode else { throw PipelineError.invalid("send_message needs mode: new_thread or reply_latest.") }
        return mode
    }

    private static func changes(_ draft: Components.Schemas.AutomationDraft, for type: AutomationType, into config: inout AutomationConfig) throws {
        switch type {
        case .updateAccountTags:
            guard draft.members == nil else { throw PipelineError.invalid("update_account_tags changes tags; leave members out.") }
            let (add, remove) = try ids(draft.tags, prefix: "tag", field: "tags")
            let clear = draft.clearTags ?? false
            guard clear || !add.isEmpty || !remove.isEmpty else { throw PipelineError.invalid("update_account_tags needs tags to add or remove, or clearTags.") }
            guard !(clear && !remove.isEmpty) else { throw PipelineError.invalid("clearTags removes every tag; leave tags.remove out.") }
            (config.add, config.remove, config.clearTags) = (add.nilIfEmpty, remove.nilIfEmpty, clear ? true : nil)
        case .updateAccountAccess, .updateJobAssignees:
            guard draft.tags == nil, draft.clearTags == nil else { throw PipelineError.invalid("\(type.rawValue) changes team members; leave tags out.") }
            let (add, remove) = try ids(draft.members, prefix: "mem", field: "members")
            guard !add.isEmpty || !remove.isEmpty else { throw PipelineError.invalid("\(type.rawValue) needs members to add or remove.") }
            (config.add, config.remove) = (add.nilIfEmpty, remove.nilIfEmpty)
        default:
            guard draft.tags == nil, draft.clearTags == nil, draft.members == nil else {
                throw PipelineError.invalid("\(type.rawValue) takes no tags or members.")
            }
        }
    }

    /// Well-formed ids, none twice, none both added and removed.
    private static func ids(_ changes: Components.Schemas.IdChanges?, prefix: String, field: String) throws -> ([String], [String]) {
        let add = changes?.add ?? [], remove = changes?.remove ?? []
        for id in add + remove where !Identifier.isWellFormed(id, prefix: prefix) {
            throw PipelineError.invalid("\(field): \(id.debugDescription) is not a \(prefix)_ id.")
        }
        guard Set(add).count == add.count, Set(remove).count == remove.count, Set(add).isDisjoint(with: remove) else {
            throw PipelineError.invalid("\(field): each id once, and not both added and removed.")
        }
        return (add, remove)
    }

    /// The stage's automations renumbered 0…n-1 in their order, at most `maxPerStage`.
    static func settled(_ automations: [AutomationRecord]) throws -> [AutomationRecord] {
        guard automations.count <= maxPerStage else { throw PipelineError.invalid("A stage has at most \(maxPerStage) automations.") }
        return automations.enumerated().map { index, automation in
            var automation = automation
            automation.position = Int64(index)
            return automation
        }
    }
}

extension Array {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}
