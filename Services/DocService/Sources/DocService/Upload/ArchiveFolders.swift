import AtriumRuntime
import SQLKit

/// The folders an upload's zips carry, made below the upload's folder inside the commit's
/// transaction (the account's tree locked). A folder whose parent already has one of that name,
/// in any case, is merged into, not duplicated or suffixed: unpacking the same zip twice fills
/// the same folders (docs/DECISIONS.md, "Zip uploads").
struct ArchiveFolders {
    let target: FolderRecord
    let creator: String
    let folders: any FolderRepository
    /// The upload folder's level in the tree (1 at the top).
    let targetDepth: Int
    /// Folders by parent id and lower-cased name: the tree as locked, plus those made since.
    private var children: [String: FolderRecord]
    /// Folder ids by lower-cased path below the target.
    private var resolved: [String: String] = [:]

    init(target: FolderRecord, tree: FolderTree, creator: String, folders: any FolderRepository) {
        self.target = target
        self.creator = creator
        self.folders = folders
        targetDepth = Self.depth(of: target.id, in: tree)
        children = Dictionary(tree.byID.values.map { (Self.key($0.parentId, $0.nameKey), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The level of folder `id` in `tree`: 1 at the top.
    static func depth(of id: String, in tree: FolderTree) -> Int {
        tree.ancestors(of: id).count + 1
    }

    /// The id of the folder at `path` below the target ("" is the target), made (with any missing
    /// parents) when it is not there yet.
    mutating func id(of path: String, on db: any SQLDatabase) async throws -> String {
        var parent = target.id
        var walked = ""
        for segment in path.split(separator: "/").map(String.init) {
            walked += (walked.isEmpty ? "" : "/") + segment.lowercased()
            if let known = resolved[walked] {
                parent = known
                continue
            }
            let level = walked.split(separator: "/").count
            guard targetDepth + level <= FolderTree.maxDepth else {
                throw ZipError(.tooDeep(limit: max(0, FolderTree.maxDepth - targetDepth)), entry: path)
            }
            parent = try await child(named: segment, of: parent, on: db).id
            resolved[walked] = parent
        }
        return parent
    }

    /// The child of `parent` called `name` in any case, made when there is none.
    private mutating func child(named name: String, of parent: String, on db: any SQLDatabase) async throws -> FolderRecord {
        if let existing = children[Self.key(parent, name.lowercased())] { return existing }
        let now = EpochMillis.now()
        let folder = FolderRecord(id: Identifier.make("fld"), firmId: target.firmId, accountId: target.accountId, parentId: parent,
                                  name: name, nameKey: name.lowercased(), createdBy: creator, createdAt: now, updatedAt: now)
        // The tree is locked, so no sibling can appear meanwhile; the index would refuse one anyway.
        guard try await folders.insert(folder, on: db) else { throw DocError.nameTaken(name) }
        children[Self.key(parent, folder.nameKey)] = folder
        return folder
    }

    private static func key(_ parent: String, _ nameKey: String) -> String {
        parent + "/" + nameKey
    }
}
