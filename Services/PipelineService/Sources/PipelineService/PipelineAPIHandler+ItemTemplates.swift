import AtriumRuntime
import Foundation
import PipelineAPI

/// Templates of invoices, organizers, proposals and team tasks: owners and admins edit them, team
/// members read them, services read them by id, contacts never; another firm's do not exist.
extension PipelineAPIHandler {
    func listItemTemplates(_ input: Operations.ListItemTemplates.Input) async throws -> Operations.ListItemTemplates.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, let firm = caller.firmID else { throw PipelineError.notAllowed("Only team members list their firm's item templates.") }
        let kind = input.query.kind.flatMap { ItemKind(rawValue: $0.rawValue) }
        let records = try await items.store.templates.list(firm: firm, kind: kind, on: database.sql)
        return .ok(.init(body: .json(.init(items: records.map(\.wire)))))
    }

    func createItemTemplate(_ input: Operations.CreateItemTemplate.Input) async throws -> Operations.CreateItemTemplate.Output {
        guard case .json(let draft) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (caller, firm) = try Self.templateEditor()
        let name = try StageRules.name(draft.name, field: "name")
        let kind = ItemKind(rawValue: draft.kind.rawValue) ?? .task
        guard let content = try ItemTemplateRules.content(kind: kind, invoice: draft.invoice, organizer: draft.organizer, proposal: draft.proposal,
                                                          task: draft.task) else {
            throw PipelineError.invalid("\(kind.rawValue) is required: the content of a \(kind.rawValue) template.")
        }
        let now = EpochMillis.now()
        let record = ItemTemplateRecord(id: Identifier.make("itpl"), firmId: firm, kind: kind.rawValue, name: name, nameKey: name.lowercased(),
                                        content: content.json, createdBy: caller.subject, createdAt: now, updatedAt: now)
        let store = items.store.templates
        guard try await database.transaction({ tx in try await store.insert(record, on: tx) }) else {
            throw PipelineError.conflict("The firm has a \(kind.rawValue) template named \(name).")
        }
        return .created(.init(body: .json(record.wire)))
    }

    func getItemTemplate(_ input: Operations.GetItemTemplate.Input) async throws -> Operations.GetItemTemplate.Output {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind != .contact, "Contacts have no access to item templates.")
        guard let record = try await items.store.templates.find(input.path.templateId, on: database.sql), caller.isTeamSide(of: record.firmId) else {
            throw PipelineError.itemTemplateNotFound(input.path.templateId)
        }
        return .ok(.init(body: .json(record.wire)))
    }

    func updateItemTemplate(_ input: Operations.UpdateItemTemplate.Input) async throws -> Operations.UpdateItemTemplate.Output {
        guard case .json(let change) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (_, firm) = try Self.templateEditor()
        let name = try change.name.map { try StageRules.name($0, field: "name") }
        let (id, store) = (input.path.templateId, items.store.templates)
        let record = try await database.transaction { tx in
            guard var record = try await store.find(id, lock: true, on: tx), record.firmId == firm, let kind = record.itemKind else {
                throw PipelineError.itemTemplateNotFound(id)
            }
            if let name {
                record.name = name
                record.nameKey = name.lowercased()
            }
            if let content = try ItemTemplateRules.content(kind: kind, invoice: change.invoice, organizer: change.organizer,
                                                           proposal: change.proposal, task: change.task) {
                record.content = content.json
            }
            record.updatedAt = EpochMillis.now()
            guard try await store.update(record, on: tx) else { throw PipelineError.conflict("The firm has a \(kind.rawValue) template named \(record.name).") }
            return record
        }
        return .ok(.init(body: .json(record.wire)))
    }

    func deleteItemTemplate(_ input: Operations.DeleteItemTemplate.Input) async throws -> Operations.DeleteItemTemplate.Output {
        let (_, firm) = try Self.templateEditor()
        let (id, store) = (input.path.templateId, items.store.templates)
        try await database.transaction { tx in
            guard let record = try await store.find(id, lock: true, on: tx), record.firmId == firm else { throw PipelineError.itemTemplateNotFound(id) }
            try await store.delete(record.id, on: tx)
        }
        return .noContent(.init())
    }

    /// The calling owner or admin and their firm.
    static func templateEditor() throws -> (Caller, String) {
        let caller = try RequestScope.requireCaller()
        guard caller.isFirmAdmin, caller.portalView == nil, let firm = caller.firmID else {
            throw PipelineError.notAllowed("Only the firm's owners and admins edit item templates.")
        }
        return (caller, firm)
    }
}
