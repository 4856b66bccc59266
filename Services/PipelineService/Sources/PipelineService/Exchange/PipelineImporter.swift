import AtriumRuntime
import Foundation
import PipelineAPI

/// Imports a pipeline document into the caller's firm (SPEC "Pipelines": export and import):
/// checks it whole, then, as the caller, drops team members the firm lacks, finds or makes the
/// tags and templates it names — reusing a template of the same kind and name, so a second import
/// makes none — and saves the pipeline by the rules of hand-made ones.
struct PipelineImporter {
    let database: Database
    let pipelines: PipelineStore
    let exchange: any TemplateExchange
    let items: any ItemTemplateExchange

    /// What the import did besides the pipeline, for the answer.
    struct Report {
        var created: [Components.Schemas.ImportedTemplate] = []
        var reused: [Components.Schemas.ImportedTemplate] = []
        var createdTags: [String] = []
        var warnings: [String] = []
    }

    func run(_ request: Components.Schemas.PipelineImport, caller: Caller, firm: String) async throws -> Components.Schemas.PipelineImportResult {
        let document = try PipelineDocumentReader.decode(request.document)
        var plan = try PipelineDocumentReader.check(document, items: items)
        if let name = request.name { plan.name = try StageRules.name(name, field: "name") }
        let key = plan.name.lowercased()
        guard try await !pipelines.models(firm: firm, on: database.sql).contains(where: { $0.pipeline.nameKey == key }) else {
            throw PipelineError.conflict("The firm has a pipeline named \(plan.name); give name to import it under another.")
        }
        var report = Report()
        try await dropUnknownMembers(&plan, report: &report)
        var ids = ExchangeIDs(tags: [:], templates: [:])
        try await importItems(&plan, caller: caller, firm: firm, ids: &ids, report: &report)
        try await importTags(plan, ids: &ids, report: &report)
        try await importTemplates(plan, ids: &ids, report: &report)
        let model = try PipelineDocumentReader.model(plan, ids: ids, firm: firm, createdBy: caller.subject)
        let store = pipelines
        guard try await database.transaction({ tx in try await store.insert(model, on: tx) }) else {
            throw PipelineError.conflict("The firm has a pipeline named \(plan.name); give name to import it under another.")
        }
        return .init(pipeline: model.wire, created: report.created, reused: report.reused, createdTags: report.createdTags, warnings: report.warnings)
    }

    /// Team members the firm does not have leave their automations, with a warning; an automation
    /// left with none to add or remove is dropped, with a warning.
    func dropUnknownMembers(_ plan: inout ImportPlan, report: inout Report) async throws {
        let named = plan.stages.flatMap { ($0.automations ?? []).flatMap { ($0.members?.add ?? []) + ($0.members?.remove ?? []) } }
        guard !named.isEmpty else { return }
        let team = try await exchange.teamMemberIDs()
        plan.edit { automation, place in
            guard var members = automation.members else { return true }
            let missing = ((members.add ?? []) + (members.remove ?? [])).filter { !team.contains($0) }
            guard !missing.isEmpty else { return true }
            members.add = members.add?.filter(team.contains).nilIfEmpty
            members.remove = members.remove?.filter(team.contains).nilIfEmpty
            automation.members = members
            let left = members.add != nil || members.remove != nil
            report.warnings.append("\(place): team member\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not in this firm; "
                                   + (left ? "left out." : "nothing is left for it to do, so it was dropped."))
            return left
        }
    }

    /// Item templates through the hook; the automations of a kind it cannot import are dropped, with a warning.
    func importItems(_ plan: inout ImportPlan, caller: Caller, firm: String, ids: inout ExchangeIDs, report: inout Report) async throws {
        var refused: Set<String> = []
        for ref in plan.usedRefs.sorted() {
            guard case .item(let template)? = plan.templates[ref] else { continue }
            guard let imported = try await items.import(template, firm: firm, by: caller) else {
                refused.insert(ref)
                report.warnings.append("\(template.kind.rawValue.capitalized) template \(template.name.debugDescription) cannot be imported here yet; the automations using it were dropped.")
                continue
            }
            ids.templates[ref] = imported.id
            record(.item(template), id: imported.id, created: imported.created, sameContent: imported.sameContent, report: &report)
        }
        plan.edit { automation, _ in !(automation.template.map(refused.contains) ?? false) }
    }

    /// Tags by name, case-insensitively; the firm's missing ones are made.
    func importTags(_ plan: ImportPlan, ids: inout ExchangeIDs, report: inout Report) async throws {
        let names = plan.tagNames
        guard !names.isEmpty else { return }
        var existing = Dictionary(try await exchange.tags().map { ($0.name.lowercased(), $0.id) }, uniquingKeysWith: { first, _ in first })
        for name in names where existing[name.lowercased()] == nil {
            do {
                existing[name.lowercased()] = try await exchange.createTag(named: name).id
                report.createdTags.append(name)
            } catch ExchangeError.refused(let why) {
                // Made meanwhile by someone else: use it.
                existing = Dictionary(try await exchange.tags().map { ($0.name.lowercased(), $0.id) }, uniquingKeysWith: { first, _ in first })
                guard existing[name.lowercased()] != nil else { throw ExchangeError.refused(why) }
            }
        }
        ids.tags = existing
    }

    /// Chat, e-mail and folder templates: the firm's one of the same kind and name, or a new one.
    func importTemplates(_ plan: ImportPlan, ids: inout ExchangeIDs, report: inout Report) async throws {
        let used = plan.usedRefs
        for (ref, template) in plan.templates.sorted(by: { $0.key < $1.key }) where !used.contains(ref) {
            report.warnings.append("Template \(ref) (\(template.kind.rawValue), \(template.name.debugDescription)) is used by no automation; not imported.")
        }
        for kind in [TemplateKind.chat, .email, .folder] {
            let needed = plan.templates.values.filter { $0.kind == kind && used.contains($0.ref) }.sorted { $0.ref < $1.ref }
            guard !needed.isEmpty else { continue }
            var existing = try await firmTemplates(kind)
            for template in needed {
                if let same = existing[template.name.lowercased()] {
                    ids.templates[template.ref] = same.id
                    record(template, id: same.id, created: false, sameContent: same.template.sameContent(as: template), report: &report)
                    continue
                }
                do {
                    let id = try await exchange.create(template.with(ref: ""))
                    ids.templates[template.ref] = id
                    record(template, id: id, created: true, sameContent: true, report: &report)
                } catch ExchangeError.refused(let why) {
                    // Made meanwhile under the same name: reuse it, as if it had been there.
                    existing = try await firmTemplates(kind)
                    guard let same = existing[template.name.lowercased()] else { throw ExchangeError.refused(why) }
                    ids.templates[template.ref] = same.id
                    record(template, id: same.id, created: false, sameContent: same.template.sameContent(as: template), report: &report)
                }
            }
        }
    }

    private func firmTemplates(_ kind: TemplateKind) async throws -> [String: StoredTemplate] {
        Dictionary(try await exchange.templates(kind).map { ($0.template.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func record(_ template: PortableTemplate, id: String, created: Bool, sameContent: Bool, report: inout Report) {
        let entry = Components.Schemas.ImportedTemplate(ref: template.ref, kind: .init(rawValue: template.kind.rawValue) ?? .chat, id: id, name: template.name)
        if created {
            report.created.append(entry)
        } else {
            report.reused.append(entry)
            if !sameContent {
                report.warnings.append("The firm's \(template.kind.rawValue) template \(template.name.debugDescription) (\(id)) was reused as it is; it differs from the document's.")
            }
        }
    }
}

extension ImportPlan {
    /// Keeps the automations `keep` says to (it may change them), with where each is for messages.
    mutating func edit(_ keep: (inout Components.Schemas.PortableAutomation, String) -> Bool) {
        for i in stages.indices {
            let stage = stages[i].name
            var kept: [Components.Schemas.PortableAutomation] = []
            for (j, automation) in (stages[i].automations ?? []).enumerated() {
                var automation = automation
                if keep(&automation, "Stage \(stage.debugDescription), automation \(j + 1) (\(automation._type.rawValue))") { kept.append(automation) }
            }
            stages[i].automations = kept
        }
    }

    /// The refs of the templates the automations use.
    var usedRefs: Set<String> { Set(stages.flatMap { ($0.automations ?? []).compactMap(\.template) }) }

    /// Every tag name the stages and automations use, once each in any case, in order of appearance.
    var tagNames: [String] {
        var all: [String] = []
        for stage in stages {
            all += stage.condition?.tags ?? []
            for automation in stage.automations ?? [] {
                all += automation.condition?.tags ?? []
                all += automation.tags?.add ?? []
                all += automation.tags?.remove ?? []
            }
        }
        var seen: Set<String> = []
        return all.filter { seen.insert($0.lowercased()).inserted }
    }
}
