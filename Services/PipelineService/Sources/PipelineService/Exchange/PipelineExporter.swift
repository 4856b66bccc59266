import AtriumRuntime
import Foundation
import PipelineAPI

/// Writes a pipeline as a portable document (SPEC "Pipelines": export and import): tag ids as
/// names, each template the automations use once, in full, read from its service as the caller.
struct PipelineExporter {
    let exchange: any TemplateExchange
    let items: any ItemTemplateExchange

    func document(_ model: PipelineModel, firm: String) async throws -> Components.Schemas.PipelineDocument {
        var notes: [String] = []
        let tagNames = try await tagNames(model)
        var refs: [String: String] = [:]  // by "kind id"
        var templates = Components.Schemas.PortableTemplates(chat: [], email: [], folder: [], items: [])
        var stages: [Components.Schemas.PortableStage] = []
        for stage in model.stages {
            let stagePlace = "Stage \(stage.name.debugDescription)"
            var automations: [Components.Schemas.PortableAutomation] = []
            for (j, automation) in model.automations(of: stage.id).enumerated() {
                let place = "\(stagePlace), automation \(j + 1) (\(automation.type))"
                guard let type = automation.kind else { notes.append("\(place): an unknown type; left out."); continue }
                let settings = automation.settings
                var ref: String?
                if let kind = TemplateKind(type), let id = settings.templateId {
                    ref = refs["\(kind.rawValue) \(id)"]
                    if ref == nil, let found = try await template(kind, id: id, firm: firm, ref: "\(kind.rawValue)-\(refs.keys.filter { $0.hasPrefix("\(kind.rawValue) ") }.count + 1)") {
                        ref = found.ref
                        refs["\(kind.rawValue) \(id)"] = found.ref
                        templates.append(found)
                    }
                    guard ref != nil else {
                        notes.append(kind.isItem ? "\(place): \(kind.rawValue) templates cannot be exported yet; left out."
                                                 : "\(place): its \(kind.rawValue) template \(id) no longer exists; left out.")
                        continue
                    }
                }
                var written = Components.Schemas.PortableAutomation(
                    _type: Components.Schemas.AutomationType(rawValue: type.rawValue) ?? .sendEmail, template: ref,
                    mode: settings.mode.flatMap { .init(rawValue: $0) }, clearTags: settings.clearTags,
                    reminders: settings.reminders.map { .init(everyDays: $0.everyDays, times: $0.times) },
                    condition: try automation.tagCondition.map { try portable($0, names: tagNames, place: place) })
                if type == .updateAccountTags {
                    let known = { (ids: [String]?) in ids?.compactMap { tagNames[$0] }.nilIfEmpty }
                    let gone = ((settings.add ?? []) + (settings.remove ?? [])).filter { tagNames[$0] == nil }
                    written.tags = .init(add: known(settings.add), remove: known(settings.remove))
                    if !gone.isEmpty { notes.append("\(place): tag\(gone.count == 1 ? "" : "s") \(gone.joined(separator: ", ")) no longer exist\(gone.count == 1 ? "s" : ""); left out.") }
                    guard written.tags?.add != nil || written.tags?.remove != nil || settings.clearTags == true else {
                        notes.append("\(place): nothing is left for it to do; left out.")
                        continue
                    }
                } else if settings.add != nil || settings.remove != nil {
                    written.members = .init(add: settings.add, remove: settings.remove)
                }
                automations.append(written)
            }
            stages.append(.init(name: stage.name, automove: stage.automove != 0,
                                condition: try stage.tagCondition.map { try portable($0, names: tagNames, place: stagePlace) },
                                automations: automations))
        }
        return .init(format: PipelineDocumentReader.format, version: PipelineDocumentReader.version, notes: notes.nilIfEmpty,
                     pipeline: .init(name: model.pipeline.name, stages: stages), templates: templates.withoutEmptyLists)
    }

    /// The firm's tag names by id, when the pipeline names any tag.
    private func tagNames(_ model: PipelineModel) async throws -> [String: String] {
        let named = model.stages.compactMap(\.tagCondition).flatMap(\.tagIds) + model.automations.flatMap { automation in
            (automation.tagCondition?.tagIds ?? []) + (automation.kind == .updateAccountTags ? (automation.settings.add ?? []) + (automation.settings.remove ?? []) : [])
        }
        guard !named.isEmpty else { return [:] }
        return Dictionary(try await exchange.tags().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// A condition by tag names; a tag the firm no longer has cannot be written (its meaning would change).
    private func portable(_ condition: TagCondition, names: [String: String], place: String) throws -> Components.Schemas.PortableCondition {
        let gone = condition.tagIds.filter { names[$0] == nil }
        guard gone.isEmpty else {
            throw PipelineError.conflict("\(place): its condition names tag \(gone.joined(separator: ", ")), which the firm no longer has; edit the condition before exporting.")
        }
        return .init(match: .init(rawValue: condition.match.rawValue) ?? .any, tags: condition.tagIds.compactMap { names[$0] })
    }

    private func template(_ kind: TemplateKind, id: String, firm: String, ref: String) async throws -> PortableTemplate? {
        if kind.isItem { return try await items.export(kind: kind, id: id, firm: firm, ref: ref).map { .item($0) } }
        return try await exchange.template(kind, id: id)?.with(ref: ref)
    }
}

extension Components.Schemas.PortableTemplates {
    mutating func append(_ template: PortableTemplate) {
        switch template {
        case .chat(let t): chat = (chat ?? []) + [t]
        case .email(let t): email = (email ?? []) + [t]
        case .folder(let t): folder = (folder ?? []) + [t]
        case .item(let t): items = (items ?? []) + [t]
        }
    }

    /// Lists with nothing in them left out of the document.
    var withoutEmptyLists: Self {
        .init(chat: chat?.nilIfEmpty, email: email?.nilIfEmpty, folder: folder?.nilIfEmpty, items: items?.nilIfEmpty)
    }
}
