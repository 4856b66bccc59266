import AtriumRuntime
import Foundation
import NotifyAPI

/// A firm's e-mail templates: owners and admins manage them; team members and services read them;
/// contacts never. Another firm's template is, to anyone outside it, one that does not exist.
extension NotifyAPIHandler {
    func listEmailTemplates(_ input: Operations.ListEmailTemplates.Input) async throws -> Operations.ListEmailTemplates.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, let firm = caller.firmID else { throw NotifyError.notAllowed("Only team members list their firm's e-mail templates.") }
        let size = try Paging.size(input.query.limit)
        let after = try input.query.cursor.map(TextCursor.key)
        let page = try await templates.templates(firm: firm, afterKey: after, limit: size + 1, on: database.sql)
        let next = page.count > size ? TextCursor.make(page[size - 1].nameKey) : nil
        return .ok(.init(body: .json(.init(items: page.prefix(size).map(\.wire), nextCursor: next))))
    }

    func createEmailTemplate(_ input: Operations.CreateEmailTemplate.Input) async throws -> Operations.CreateEmailTemplate.Output {
        guard case .json(let draft) = input.body else { throw NotifyError.invalid("Expected a JSON body.") }
        let (caller, firm) = try Self.templateManager()
        let checked = try EmailTemplateRecord.checked(name: draft.name, subject: draft.subject, body: draft.body)
        let now = clock.now()
        let template = EmailTemplateRecord(id: Identifier.make("etpl"), firmId: firm, name: checked.name, nameKey: checked.name.lowercased(),
                                           subject: checked.subject, body: checked.body, createdBy: caller.subject, createdAt: now, updatedAt: now)
        guard try await templates.insert(template, on: database.sql) else { throw NotifyError.conflict("The firm has an e-mail template named \(checked.name).") }
        return .created(.init(body: .json(template.wire)))
    }

    func getEmailTemplate(_ input: Operations.GetEmailTemplate.Input) async throws -> Operations.GetEmailTemplate.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind != .contact else { throw NotifyError.notAllowed("E-mail templates are the firm's; contacts do not see them.") }
        return .ok(.init(body: .json(try await visibleTemplate(input.path.templateId, caller).wire)))
    }

    func updateEmailTemplate(_ input: Operations.UpdateEmailTemplate.Input) async throws -> Operations.UpdateEmailTemplate.Output {
        guard case .json(let change) = input.body else { throw NotifyError.invalid("Expected a JSON body.") }
        let (caller, _) = try Self.templateManager()
        var template = try await visibleTemplate(input.path.templateId, caller)
        let checked = try EmailTemplateRecord.checked(name: change.name ?? template.name, subject: change.subject ?? template.subject,
                                                      body: change.body ?? template.body)
        (template.name, template.nameKey, template.subject, template.body) = (checked.name, checked.name.lowercased(), checked.subject, checked.body)
        template.updatedAt = clock.now()
        guard try await templates.update(template, on: database.sql) else { throw NotifyError.conflict("The firm has an e-mail template named \(checked.name).") }
        return .ok(.init(body: .json(template.wire)))
    }

    func deleteEmailTemplate(_ input: Operations.DeleteEmailTemplate.Input) async throws -> Operations.DeleteEmailTemplate.Output {
        let (caller, _) = try Self.templateManager()
        let template = try await visibleTemplate(input.path.templateId, caller)
        try await templates.delete(template.id, on: database.sql)
        return .noContent(.init())
    }

    /// The template, when the caller is on its firm's side (a team member of it, or a service).
    func visibleTemplate(_ id: String, _ caller: Caller) async throws -> EmailTemplateRecord {
        guard let template = try await templates.template(id, on: database.sql), caller.isTeamSide(of: template.firmId) else {
            throw NotifyError.templateNotFound(id)
        }
        return template
    }

    /// The calling owner or admin and their firm.
    static func templateManager() throws -> (Caller, String) {
        let caller = try RequestScope.requireCaller()
        guard caller.isFirmAdmin, caller.portalView == nil, let firm = caller.firmID else {
            throw NotifyError.notAllowed("Only the firm's owners and admins manage e-mail templates.")
        }
        return (caller, firm)
    }
}
