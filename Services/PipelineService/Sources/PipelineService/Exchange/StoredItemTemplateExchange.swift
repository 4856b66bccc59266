import AtriumRuntime
import Foundation
import OpenAPIRuntime
import PipelineAPI

/// Item templates (invoice, organizer, proposal, task) in and out of pipeline documents. Their
/// portable `content` is the kind's own wire body (`InvoiceContent`, `OrganizerContent`, …), so a
/// document reads like the `/v1/item-templates` API, and an import checks it with the same rules.
struct StoredItemTemplateExchange: ItemTemplateExchange {
    let store: ItemTemplateStore
    let database: Database

    func export(kind: TemplateKind, id: String, firm: String, ref: String) async throws -> Components.Schemas.PortableItemTemplate? {
        guard let record = try await store.find(id, on: database.sql), record.firmId == firm, record.kind == kind.rawValue,
              let content = try? ItemTemplateContent.decode(record.content) else { return nil }
        let body: Data
        switch kind {
        case .invoice: body = try JSONEncoder().encode(content.invoice?.wire)
        case .organizer: body = try JSONEncoder().encode(content.organizer?.wire)
        case .proposal: body = try JSONEncoder().encode(content.proposal?.wire)
        case .task: body = try JSONEncoder().encode(content.task?.wire)
        default: return nil
        }
        let container = try JSONDecoder().decode(OpenAPIObjectContainer.self, from: body)
        return .init(ref: ref, kind: .init(rawValue: kind.rawValue) ?? .task, name: record.name, content: container)
    }

    func validate(_ template: Components.Schemas.PortableItemTemplate, path: String) throws {
        _ = try content(of: template, path: path)
    }

    func `import`(_ template: Components.Schemas.PortableItemTemplate, firm: String, by caller: Caller) async throws -> ImportedItemTemplate? {
        let content = try content(of: template, path: "template \(template.ref)")
        let kind = template.kind.rawValue
        let name = try StageRules.name(template.name, field: "the name of template \(template.ref)")
        if let existing = try await store.list(firm: firm, kind: ItemKind(rawValue: kind), on: database.sql).first(where: { $0.nameKey == name.lowercased() }) {
            return ImportedItemTemplate(id: existing.id, created: false, sameContent: (try? ItemTemplateContent.decode(existing.content)) == content)
        }
        let now = EpochMillis.now()
        let record = ItemTemplateRecord(id: Identifier.make("itpl"), firmId: firm, kind: kind, name: name, nameKey: name.lowercased(),
                                        content: content.json, createdBy: caller.subject, createdAt: now, updatedAt: now)
        let store = self.store
        guard try await database.transaction({ tx in try await store.insert(record, on: tx) }) else {
            // Made meanwhile by someone else: theirs is the firm's now.
            guard let raced = try await store.list(firm: firm, kind: ItemKind(rawValue: kind), on: database.sql).first(where: { $0.nameKey == name.lowercased() })
            else { throw ExchangeError.refused("The \(kind) template \(name) could not be made.") }
            return ImportedItemTemplate(id: raced.id, created: false, sameContent: (try? ItemTemplateContent.decode(raced.content)) == content)
        }
        return ImportedItemTemplate(id: record.id, created: true, sameContent: true)
    }

    /// The template's content, checked as `/v1/item-templates` checks it; refusals name `path`.
    private func content(of template: Components.Schemas.PortableItemTemplate, path: String) throws -> ItemTemplateContent {
        let body = try JSONEncoder().encode(template.content)
        do {
            let decoder = JSONDecoder()
            switch template.kind {
            case .invoice: return ItemTemplateContent(invoice: try ItemTemplateRules.invoice(try decoder.decode(Components.Schemas.InvoiceContent.self, from: body)))
            case .organizer:
                return ItemTemplateContent(organizer: try ItemTemplateRules.organizer(try decoder.decode(Components.Schemas.OrganizerContent.self, from: body)))
            case .proposal: return ItemTemplateContent(proposal: try ItemTemplateRules.proposal(try decoder.decode(Components.Schemas.ProposalContent.self, from: body)))
            case .task: return ItemTemplateContent(task: try ItemTemplateRules.task(try decoder.decode(Components.Schemas.TeamTaskContent.self, from: body)))
            }
        } catch let error as PipelineError {
            throw ExchangeError.invalid("\(path).content: \(error.problemDetail)")
        } catch is DecodingError {
            throw ExchangeError.invalid("\(path).content is not a \(template.kind.rawValue) template's content.")
        }
    }
}
