import AtriumRuntime
import ChatAPI
import Foundation
import OpenAPIRuntime

/// Chat templates (SPEC "Chats"): a firm's subjects, bodies, client tasks and reminder settings
/// for starting threads, with shortcodes (`Templates/`). Owners and admins manage them; every team
/// member of the firm lists and reads them, Atrium's services read them by id; contacts never.
/// Another firm's template is, to anyone outside it, a template that does not exist.
extension ChatAPIHandler {
    /// Stateless: the storage of templates in this service's database.
    var chatTemplates: ChatTemplateRepository { ChatTemplateRepository(forUpdate: outbox.database.forUpdate) }

    func listChatTemplates(_ input: Operations.ListChatTemplates.Input) async throws -> Operations.ListChatTemplates.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, let firm = caller.firmID else {
            throw RuntimeError.forbidden("Only team members list their firm's chat templates.")
        }
        let limit = input.query.limit ?? 50
        guard (1...100).contains(limit) else { throw RuntimeError.invalidRequest("limit must be 1 to 100.") }
        let search = input.query.search?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard (search?.unicodeScalars.count ?? 0) <= 200 else {
            throw RuntimeError.invalidRequest("search must be at most 200 characters.")
        }
        let after = try input.query.cursor.map(TextCursor.key)
        let page = try await chatTemplates.templates(firm: firm, search: search, afterKey: after, limit: limit + 1, on: outbox.database.sql)
        let items = try page.prefix(limit).map { try $0.wire() }
        let next = page.count > limit ? page[limit - 1].nameKey : nil
        return .ok(.init(body: .json(.init(items: items, nextCursor: next.map(TextCursor.make)))))
    }

    func getChatTemplate(_ input: Operations.GetChatTemplate.Input) async throws -> Operations.GetChatTemplate.Output {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind != .contact, "Chat templates are the firm's; contacts do not see them.")
        let id = input.path.templateId
        guard let template = try await chatTemplates.template(id: id, on: outbox.database.sql),
            caller.isTeamSide(of: template.firmId) else {
            throw ChatTemplateError.notFound(id)
        }
        return .ok(.init(body: .json(try template.wire())))
    }

    func createChatTemplate(_ input: Operations.CreateChatTemplate.Input) async throws -> Operations.CreateChatTemplate.Output {
        let (caller, firm) = try Self.chatTemplateAdmin()
        guard case .json(let body) = input.body else { throw RuntimeError.invalidBody("Expected a JSON body.") }
        let draft = try ChatTemplateDraft(body)
        let now = EpochMillis.now()
        var template = ChatTemplateRecord(
            id: Identifier.make("ctpl"), firmId: firm, name: draft.name, nameKey: draft.name.lowercased(), subject: draft.subject,
            body: draft.body, tasks: "[]", createdBy: caller.subject, createdAt: now, updatedAt: now)
        try template.setTasks(draft.tasks)
        template.reminders = draft.reminders
        guard try await chatTemplates.insert(template, on: outbox.database.sql) else { throw ChatTemplateError.nameTaken(draft.name) }
        return .created(.init(body: .json(try template.wire())))
    }

    func updateChatTemplate(_ input: Operations.UpdateChatTemplate.Input) async throws -> Operations.UpdateChatTemplate.Output {
        let (_, firm) = try Self.chatTemplateAdmin()
        guard case .json(let change) = input.body else { throw RuntimeError.invalidBody("Expected a JSON body.") }
        let edit = try ChatTemplateEdit(change)
        let (repository, id) = (chatTemplates, input.path.templateId)
        let updated = try await outbox.database.transaction { tx in
            // Locked, so that two changes of different fields at once both stay.
            guard let template = try await repository.template(id: id, lock: true, on: tx), template.firmId == firm else {
                throw ChatTemplateError.notFound(id)
            }
            var changed = try edit.applied(to: template)
            guard changed != template else { return template }
            changed.updatedAt = EpochMillis.now()
            guard try await repository.update(changed, on: tx) else { throw ChatTemplateError.nameTaken(changed.name) }
            return changed
        }
        return .ok(.init(body: .json(try updated.wire())))
    }

    func deleteChatTemplate(_ input: Operations.DeleteChatTemplate.Input) async throws -> Operations.DeleteChatTemplate.Output {
        let (_, firm) = try Self.chatTemplateAdmin()
        guard try await chatTemplates.delete(input.path.templateId, firm: firm, on: outbox.database.sql) else {
            throw ChatTemplateError.notFound(input.path.templateId)
        }
        return .noContent(.init())
    }

    /// The caller and their firm when they are one of its owners or admins; 403 for everyone else.
    static func chatTemplateAdmin() throws -> (Caller, String) {
        let caller = try RequestScope.requireCaller()
        guard caller.isFirmAdmin, let firm = caller.firmID else {
            throw RuntimeError.forbidden("Only owners and admins manage chat templates.")
        }
        return (caller, firm)
    }
}
