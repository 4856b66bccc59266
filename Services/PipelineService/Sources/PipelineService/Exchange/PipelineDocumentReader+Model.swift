import AtriumRuntime
import Foundation
import PipelineAPI

/// The ids a document's tag names and template refs stand for in one firm.
struct ExchangeIDs: Sendable {
    /// By tag name, lower-cased.
    var tags: [String: String]
    /// By template ref.
    var templates: [String: String]

    /// Well-formed ids that stand for every name and ref of `plan`, to check it before anything exists.
    static func standIns(_ plan: ImportPlan) -> ExchangeIDs {
        var tags: [String: String] = [:]
        for stage in plan.stages {
            for name in stage.condition?.tags ?? [] { tags[name.lowercased()] = standIn("tag", name.lowercased()) }
            for automation in stage.automations ?? [] {
                let names = (automation.condition?.tags ?? []) + (automation.tags?.add ?? []) + (automation.tags?.remove ?? [])
                for name in names { tags[name.lowercased()] = standIn("tag", name.lowercased()) }
            }
        }
        let prefixes: [TemplateKind: String] = [.chat: "ctpl", .email: "etpl", .folder: "ftpl"]
        let templates = plan.templates.mapValues { standIn(prefixes[$0.kind] ?? "itpl", $0.ref) }
        return ExchangeIDs(tags: tags, templates: templates)
    }

    /// `prefix_` and 28 hex digits from two FNV-1a hashes of `key`: the same key, the same id.
    static func standIn(_ prefix: String, _ key: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 { key.utf8.reduce(seed) { ($0 ^ UInt64($1)) &* 0x100000001b3 } }
        let hex = [fnv(0xcbf29ce484222325), fnv(0x84222325cbf29ce4)].map { String($0, radix: 16).leftPadded(16) }.joined()
        return "\(prefix)_\(hex.prefix(28))"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

extension PipelineDocumentReader {
    /// The pipeline `plan` makes in `firm` with `ids`, checked by the rules of hand-made pipelines
    /// (`StageRules`, `AutomationRules`); each refusal names where in the document it is.
    static func model(_ plan: ImportPlan, ids: ExchangeIDs, firm: String, createdBy: String) throws -> PipelineModel {
        let id = Identifier.make("pl")
        let now = EpochMillis.now()
        let pipeline = PipelineRecord(id: id, firmId: firm, name: plan.name, nameKey: plan.name.lowercased(), createdBy: createdBy, createdAt: now, updatedAt: now)
        guard !plan.stages.isEmpty else { throw ExchangeError.invalid("document.pipeline.stages: a pipeline has at least one stage.") }
        guard plan.stages.count <= StageRules.maxStages else {
            throw ExchangeError.invalid("document.pipeline.stages: a pipeline has at most \(StageRules.maxStages) stages.")
        }
        var stages: [StageRecord] = []
        var automations: [AutomationRecord] = []
        for (i, stage) in plan.stages.enumerated() {
            let path = "document.pipeline.stages[\(i)]"
            let stageID = Identifier.make("stg")
            let name = try at("\(path).name") { try StageRules.name(stage.name, field: "A stage's name") }
            let condition = try at("\(path).condition") { try StageRules.condition(try stage.condition.map { try wire($0, ids: ids, path: "\(path).condition") }) }
            stages.append(StageRecord(id: stageID, pipelineId: id, name: name, position: 0, automove: stage.automove == true ? 1 : 0, condition: condition?.json))
            let list = stage.automations ?? []
            guard list.count <= AutomationRules.maxPerStage else {
                throw ExchangeError.invalid("\(path).automations: a stage has at most \(AutomationRules.maxPerStage) automations.")
            }
            for (j, automation) in list.enumerated() {
                let at = "\(path).automations[\(j)]"
                let draft = try self.draft(automation, plan: plan, ids: ids, path: at)
                automations.append(try self.at(at) { try AutomationRules.automation(draft, id: Identifier.make("aut"), pipeline: id, stage: stageID) })
            }
        }
        var model = PipelineModel(pipeline: pipeline, stages: try at("document.pipeline.stages") { try StageRules.settled(stages) }, automations: automations)
        try at("document.pipeline.stages") { try model.settleAutomations() }
        return model
    }

    /// The hand-made form of a document's automation: tag names and template refs as ids.
    static func draft(_ a: Components.Schemas.PortableAutomation, plan: ImportPlan, ids: ExchangeIDs, path: String) throws -> Components.Schemas.AutomationDraft {
        guard let type = AutomationType(rawValue: a._type.rawValue) else { throw ExchangeError.invalid("\(path).type is not an automation type.") }
        var templateID: String?
        if let kind = TemplateKind(type) {
            guard let ref = a.template else { throw ExchangeError.invalid("\(path).template is required: \(type.rawValue) uses a \(kind.rawValue) template.") }
            guard let template = plan.templates[ref], template.kind == kind else {
                throw ExchangeError.invalid("\(path).template \(ref.debugDescription) names no template in \(kind.documentField); its content is missing.")
            }
            guard let id = ids.templates[template.ref] else { throw ExchangeError.invalid("\(path).template \(ref.debugDescription) was not imported.") }
            templateID = id
        } else if a.template != nil {
            throw ExchangeError.invalid("\(path).template: \(type.rawValue) uses no template; leave it out.")
        }
        let tags = try a.tags.map { changes in
            Components.Schemas.IdChanges(add: try tagIDs(changes.add, ids: ids, path: "\(path).tags.add", min: 0, max: 100),
                                         remove: try tagIDs(changes.remove, ids: ids, path: "\(path).tags.remove", min: 0, max: 100))
        }
        if let tags, !Set(tags.add ?? []).isDisjoint(with: tags.remove ?? []) {
            throw ExchangeError.invalid("\(path).tags: a tag is both added and removed.")
        }
        let members = try a.members.map { changes in
            guard (changes.add ?? []).count <= 100, (changes.remove ?? []).count <= 100 else {
                throw ExchangeError.invalid("\(path).members: at most 100 to add and 100 to remove.")
            }
            return Components.Schemas.IdChanges(add: changes.add, remove: changes.remove)
        }
        return .init(_type: a._type, templateId: templateID, mode: a.mode.flatMap { .init(rawValue: $0.rawValue) }, tags: tags,
                     clearTags: a.clearTags, members: members, reminders: a.reminders,
                     condition: try a.condition.map { try wire($0, ids: ids, path: "\(path).condition") })
    }

    /// A condition with tag ids for names.
    static func wire(_ condition: Components.Schemas.PortableCondition, ids: ExchangeIDs, path: String) throws -> Components.Schemas.TagCondition {
        .init(match: .init(rawValue: condition.match.rawValue) ?? .any, tagIds: try tagIDs(condition.tags, ids: ids, path: "\(path).tags", min: 1, max: 50) ?? [])
    }

    /// Tag names (1 to 60 characters, none twice in any case) as ids.
    static func tagIDs(_ names: [String]?, ids: ExchangeIDs, path: String, min: Int, max: Int) throws -> [String]? {
        guard let names else { return nil }
        guard (min...max).contains(names.count) else { throw ExchangeError.invalid("\(path) names \(min) to \(max) tags.") }
        var seen: Set<String> = []
        return try names.enumerated().map { i, name in
            try TemplateRules.text(name, "\(path)[\(i)]", max: 60, line: true)
            guard seen.insert(name.lowercased()).inserted else { throw ExchangeError.invalid("\(path)[\(i)] \(name.debugDescription) is named twice.") }
            guard let id = ids.tags[name.lowercased()] else { throw ExchangeError.invalid("\(path)[\(i)]: no tag \(name.debugDescription) in the firm.") }
            return id
        }
    }
}
