import AtriumRuntime
import DocAPI
import Foundation
import OpenAPIRuntime

/// What the folder template routes use besides the folder routes' storage.
struct FolderTemplates: Sendable {
    let repository: any FolderTemplateRepository
    /// Applying a template publishes `doc.folder_template.applied` in its transaction.
    let outbox: Outbox
}

/// Folder templates (SPEC "Documents"): a firm's named folder structures. Owners and admins manage
/// them; every team member of the firm (and Atrium's services, by id) reads them; contacts never.
/// Applying one is `DocAPIHandler+ApplyTemplate.swift`.
extension DocAPIHandler {
    func listFolderTemplates(_ input: Operations.ListFolderTemplates.Input) async throws -> Operations.ListFolderTemplates.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, let firm = caller.firmID else {
            throw DocError.notAllowed("Only team members list their firm's folder templates.")
        }
        let limit = input.query.limit ?? 50
        guard (1...100).contains(limit) else { throw DocError.invalid("limit must be 1 to 100.") }
        let after = try input.query.cursor.map(TextCursor.key)
        let page = try await templates.repository.templates(firm: firm, afterKey: after, limit: limit + 1, on: database.sql)
        let items = try page.prefix(limit).map { try $0.wire() }
        let next = page.count > limit ? page[limit - 1].nameKey : nil
        return .ok(.init(body: .json(.init(items: items, nextCursor: next.map(TextCursor.make)))))
    }

    func getFolderTemplate(_ input: Operations.GetFolderTemplate.Input) async throws -> Operations.GetFolderTemplate.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind != .contact else { throw DocError.notAllowed("Folder templates are the firm's; contacts do not see them.") }
        let template = try await readable(input.path.templateId, by: caller)
        return .ok(.init(body: .json(try template.wire())))
    }

    func createFolderTemplate(_ input: Operations.CreateFolderTemplate.Input) async throws -> Operations.CreateFolderTemplate.Output {
        let (caller, firm) = try Self.templateAdmin()
        guard case .json(let body) = input.body else { throw DocError.invalid("Expected a JSON body.") }
        let name = try FolderTemplateStructure.name(body.name)
        let folders = try FolderTemplateStructure.validate(body.folders)
        let now = EpochMillis.now()
        var template = FolderTemplateRecord(id: Identifier.make("ftpl"), firmId: firm, name: name, nameKey: name.lowercased(), structure: "[]",
                                            folderCount: 0, createdBy: caller.subject, createdAt: now, updatedAt: now)
        try template.setFolders(folders)
        guard try await templates.repository.insert(template, on: database.sql) else { throw FolderTemplateError.nameTaken(name) }
        return .created(.init(body: .json(try template.wire())))
    }

    func updateFolderTemplate(_ input: Operations.UpdateFolderTemplate.Input) async throws -> Operations.UpdateFolderTemplate.Output {
        let (_, firm) = try Self.templateAdmin()
        guard case .json(let change) = input.body else { throw DocError.invalid("Expected a JSON body.") }
        let name = try change.name.map(FolderTemplateStructure.name)
        let folders = try change.folders.map(FolderTemplateStructure.validate)
        let (repository, id) = (templates.repository, input.path.templateId)
        let updated = try await database.transaction { tx in
            guard var template = try await repository.template(id: id, on: tx), template.firmId == firm else {
                throw FolderTemplateError.notFound(id)
            }
            if let name {
                template.name = name
                template.nameKey = name.lowercased()
            }
            if let folders { try template.setFolders(folders) }
            template.updatedAt = EpochMillis.now()
            guard try await repository.update(template, on: tx) else { throw FolderTemplateError.nameTaken(template.name) }
            return template
        }
        return .ok(.init(body: .json(try updated.wire())))
    }

    func deleteFolderTemplate(_ input: Operations.DeleteFolderTemplate.Input) async throws -> Operations.DeleteFolderTemplate.Output {
        let (_, firm) = try Self.templateAdmin()
        guard try await templates.repository.delete(input.path.templateId, firm: firm, on: database.sql) else {
            throw FolderTemplateError.notFound(input.path.templateId)
        }
        return .noContent(.init())
    }
}

// MARK: - Access

extension DocAPIHandler {
    /// The caller and their firm when they are one of its owners or admins; 403 for everyone else.
    static func templateAdmin() throws -> (Caller, String) {
        let caller = try RequestScope.requireCaller()
        guard caller.isFirmAdmin, let firm = caller.firmID else {
            throw DocError.notAllowed("Only owners and admins manage folder templates.")
        }
        return (caller, firm)
    }

    /// The template when `caller` is on its firm's side (a team member of the firm, or an Atrium
    /// service); 404 otherwise, as if it did not exist.
    func readable(_ id: String, by caller: Caller) async throws -> FolderTemplateRecord {
        guard let template = try await templates.repository.template(id: id, on: database.sql), caller.isTeamSide(of: template.firmId) else {
            throw FolderTemplateError.notFound(id)
        }
        return template
    }
}
