import AtriumRuntime
import DocAPI
import Foundation
import OpenAPIRuntime

/// DocService's routes: each account's folder tree and its documents' metadata. Uploads and
/// downloads stream, so they are served by `DocumentUploadRoute` and `DocumentDownloadRoute`.
struct DocAPIHandler: APIProtocol {
    let database: Database
    let outbox: Outbox
    let folders: any FolderRepository
    let documents: DocumentRepository
    /// Where document bytes live.
    let blobs: any BlobStore
    /// Who may see which account, answered from the local cache.
    let directory: any AccountDirectory
    /// Folder templates: their storage and the outbox an apply publishes through.
    let templates: FolderTemplates

    func listFolders(_ input: Operations.ListFolders.Input) async throws -> Operations.ListFolders.Output {
        let grant = try await visibleGrant(input.path.accountId)
        let tree = FolderTree(try await folders.folders(account: grant.accountID, on: database.sql))
        return .ok(.init(body: .json(.init(accountId: grant.accountID, items: tree.wire))))
    }

    func createFolder(_ input: Operations.CreateFolder.Input) async throws -> Operations.CreateFolder.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw DocError.invalid("Expected a JSON body.") }
        let name = try FolderName.validate(body.name)
        let grant = try await managedGrant(input.path.accountId)
        let now = EpochMillis.now()
        let folder = FolderRecord(id: Identifier.make("fld"), firmId: grant.firmID, accountId: grant.accountID,
                                  parentId: body.parentId ?? FolderRecord.top, name: name, nameKey: name.lowercased(),
                                  createdBy: caller.subject, createdAt: now, updatedAt: now)
        let folders = self.folders
        let path = try await database.transaction { tx in
            let tree = FolderTree(try await folders.lockTree(account: folder.accountId, on: tx))
            try Self.checkPlacement(of: folder, in: tree)
            guard try await folders.insert(folder, on: tx) else { throw DocError.nameTaken(name) }
            return tree.path(of: folder)
        }
        return .created(.init(body: .json(folder.wire(path: path))))
    }

    func updateFolder(_ input: Operations.UpdateFolder.Input) async throws -> Operations.UpdateFolder.Output {
        guard case .json(let change) = input.body else { throw DocError.invalid("Expected a JSON body.") }
        let name = try change.name.map(FolderName.validate)
        let existing = try await managedFolder(input.path.folderId)
        let folders = self.folders
        let (updated, path) = try await database.transaction { tx in
            let tree = FolderTree(try await folders.lockTree(account: existing.accountId, on: tx))
            guard var folder = tree.byID[existing.id] else { throw DocError.folderNotFound(existing.id) }
            if let name {
                folder.name = name
                folder.nameKey = name.lowercased()
            }
            if let parent = change.parentId { folder.parentId = parent }
            try Self.checkPlacement(of: folder, in: tree)
            folder.updatedAt = EpochMillis.now()
            guard try await folders.update(folder, on: tx) else { throw DocError.nameTaken(folder.name) }
            return (folder, FolderTree(tree.byID.values.map { $0.id == folder.id ? folder : $0 }).path(of: folder))
        }
        return .ok(.init(body: .json(updated.wire(path: path))))
    }

    func deleteFolder(_ input: Operations.DeleteFolder.Input) async throws -> Operations.DeleteFolder.Output {
        let existing = try await managedFolder(input.path.folderId)
        let (folders, documents) = (self.folders, self.documents)
        try await database.transaction { tx in
            _ = try await folders.lockTree(account: existing.accountId, on: tx)
            guard try await folders.folder(id: existing.id, on: tx) != nil else { throw DocError.folderNotFound(existing.id) }
            guard try await !folders.hasChildren(existing.id, on: tx) else { throw DocError.folderNotEmpty }
            guard try await !documents.hasDocuments(inFolder: existing.id, on: tx) else { throw DocError.folderNotEmpty }
            try await folders.delete(existing.id, on: tx)
        }
        return .noContent(.init())
    }
}

// MARK: - Access and placement

extension DocAPIHandler {
    /// The account's grant when the caller may see it; 404 otherwise, as if it did not exist.
    func visibleGrant(_ accountID: String) async throws -> AccountGrant {
        guard let grant = try await directory.grant(for: accountID, visibleTo: try RequestScope.requireCaller()) else {
            throw DocError.accountNotFound(accountID)
        }
        return grant
    }

    /// The account's grant when the caller may also organise its documents; 403 for those who only see it.
    private func managedGrant(_ accountID: String) async throws -> AccountGrant {
        let grant = try await visibleGrant(accountID)
        guard try RequestScope.requireCaller().mayManageDocuments(of: grant) else {
            throw DocError.notAllowed("Only owners, admins and team members with \"manage documents\" organise folders.")
        }
        return grant
    }

    /// The folder when the caller may organise its account's documents.
    private func managedFolder(_ id: String) async throws -> FolderRecord {
        guard let folder = try await folders.folder(id: id, on: database.sql) else { throw DocError.folderNotFound(id) }
        do {
            _ = try await managedGrant(folder.accountId)
        } catch DocError.accountNotFound {
            throw DocError.folderNotFound(id)
        }
        return folder
    }

    /// The folder's parent must exist in the same tree, must not be the folder or inside it, and
    /// the tree must stay within `FolderTree.maxDepth` levels.
    static func checkPlacement(of folder: FolderRecord, in tree: FolderTree) throws {
        guard folder.parentId != FolderRecord.top else { return }
        guard tree.byID[folder.parentId] != nil else { throw DocError.invalid("parentId \(folder.parentId) is not a folder of this account.") }
        let ancestors = [folder.parentId] + tree.ancestors(of: folder.parentId).map(\.id)
        guard !ancestors.contains(folder.id) else { throw DocError.invalidMove("A folder cannot move into itself or a folder inside it.") }
        guard ancestors.count + tree.height(of: folder.id) <= FolderTree.maxDepth else {
            throw DocError.invalidMove("Folders nest at most \(FolderTree.maxDepth) levels deep.")
        }
    }
}

/// What a folder may be called.
enum FolderName {
    static func validate(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // Code points, as the contract's maxLength counts them.
        guard (1...120).contains(name.unicodeScalars.count) else { throw DocError.invalid("name must be 1 to 120 characters.") }
        guard name != ".", name != "..", !name.contains("/"), !name.contains("\\"),
            !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw DocError.invalid("name may not be \".\" or \"..\" nor contain slashes or control characters.")
        }
        return name
    }
}
