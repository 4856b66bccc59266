import AtriumRuntime
import Contracts
import DocAPI
import Foundation
import OpenAPIRuntime

/// Applying a folder template to an account: merging, idempotent, one transaction with its event.
extension DocAPIHandler {
    func applyFolderTemplate(_ input: Operations.ApplyFolderTemplate.Input) async throws -> Operations.ApplyFolderTemplate.Output {
        let caller = try RequestScope.requireCaller()
        let grant = try await templateTarget(input.path.accountId, caller: caller)
        let template = try await readable(input.path.templateId, by: caller)
        guard template.firmId == grant.firmID else { throw FolderTemplateError.notFound(template.id) }
        let plan = TemplateApplication(template: template, structure: try template.folders(), grant: grant, by: caller.subject)
        let (folders, outbox) = (self.folders, templates.outbox)
        // Two applies racing on PostgreSQL may both find a folder missing; the loser's insert meets the
        // sibling-names index, its transaction rolls back, and it runs again seeing the winner's folders.
        for _ in 1...3 {
            do {
                let result = try await outbox.transaction { tx in try await plan.run(folders: folders, on: tx) }
                return .ok(.init(body: .json(result)))
            } catch TemplateApplication.Race.lost {
                continue
            }
        }
        throw FolderTemplateError.contended
    }

    /// The account when the caller may organise its documents: owners, admins, "manage documents"
    /// employees who see it, and Atrium's services. 404 when they cannot see it, 403 when they only see it.
    private func templateTarget(_ accountID: String, caller: Caller) async throws -> AccountGrant {
        guard let grant = try await directory.grant(for: accountID, visibleTo: caller) else { throw DocError.accountNotFound(accountID) }
        guard caller.mayManageDocuments(of: grant) else {
            throw DocError.notAllowed("Only owners, admins and team members with \"manage documents\" apply folder templates.")
        }
        return grant
    }
}

/// One application of a template to one account's tree.
struct TemplateApplication: Sendable {
    enum Race: Error { case lost }

    let template: FolderTemplateRecord
    let structure: [TemplateFolder]
    let grant: AccountGrant
    let by: String

    /// Walks the template from the top of the tree: each folder is the existing child of its parent
    /// with the same name in any case, or a new one. Publishes the event when anything was created.
    func run(folders: any FolderRepository, on tx: OutboxTransaction) async throws -> Components.Schemas.FolderTemplateApplication {
        let existing = try await folders.lockTree(account: grant.accountID, on: tx.sql)
        var byPlace = Dictionary(existing.map { (Self.place($0.parentId, $0.nameKey), $0) }) { first, _ in first }
        var (created, reused): ([FolderRecord], [FolderRecord]) = ([], [])
        var pending = structure.map { (FolderRecord.top, $0) }
        let now = EpochMillis.now()
        while !pending.isEmpty {
            let (parent, node) = pending.removeFirst()
            let key = node.name.lowercased()
            let folder: FolderRecord
            if let found = byPlace[Self.place(parent, key)] {
                folder = found
                reused.append(found)
            } else {
                folder = FolderRecord(id: Identifier.make("fld"), firmId: grant.firmID, accountId: grant.accountID, parentId: parent,
                                      name: node.name, nameKey: key, createdBy: by, createdAt: now, updatedAt: now)
                guard try await folders.insert(folder, on: tx.sql) else { throw Race.lost }
                created.append(folder)
                byPlace[Self.place(parent, key)] = folder
            }
            pending += node.children.map { (folder.id, $0) }
        }
        let tree = FolderTree(existing + created)
        let result = Components.Schemas.FolderTemplateApplication(
            accountId: grant.accountID, templateId: template.id, created: Self.wire(created, in: tree), reused: Self.wire(reused, in: tree))
        if !result.created.isEmpty { try await publish(result.created.map(\.id), on: tx) }
        return result
    }

    /// Where a folder sits: its parent and its name in lower case (folder ids hold no "/").
    private static func place(_ parent: String, _ nameKey: String) -> String { parent + "/" + nameKey }

    private func publish(_ created: [String], on tx: OutboxTransaction) async throws {
        try await tx.publish(EventTypes.docFolderTemplateApplied, firmID: grant.firmID, payload: Components.Schemas.FolderTemplateAppliedEvent(
            firmId: grant.firmID, accountId: grant.accountID, templateId: template.id, templateName: template.name,
            createdFolderIds: created, appliedBy: by, appliedAt: Date()))
    }

    /// The folders with their paths, in path order (any case), as the folder list orders them.
    private static func wire(_ folders: [FolderRecord], in tree: FolderTree) -> [Components.Schemas.Folder] {
        folders.map { $0.wire(path: tree.path(of: $0)) }
            .sorted { $0.path.lowercased() == $1.path.lowercased() ? $0.id < $1.id : $0.path.lowercased() < $1.path.lowercased() }
    }
}
