import AtriumRuntime
import DocAPI
import Foundation

/// A folder as stored. `parentId` is "" at the top of the tree; `nameKey` is the lower-cased
/// name, unique among siblings.
struct FolderRecord: Codable, Sendable, Equatable {
    static let top = ""

    var id: String
    var firmId: String
    var accountId: String
    var parentId: String
    var name: String
    var nameKey: String
    var createdBy: String
    var createdAt: Int64
    var updatedAt: Int64

    func wire(path: String) -> Components.Schemas.Folder {
        .init(id: id, accountId: accountId, parentId: parentId == Self.top ? nil : parentId, name: name, path: path,
              createdAt: EpochMillis.date(millis: createdAt), updatedAt: EpochMillis.date(millis: updatedAt))
    }
}

/// An account's folders, indexed for walking the tree.
struct FolderTree: Sendable {
    /// A tree deeper than this is refused: nobody files that deep on purpose.
    static let maxDepth = 20

    let byID: [String: FolderRecord]

    init(_ folders: [FolderRecord]) {
        byID = Dictionary(uniqueKeysWithValues: folders.map { ($0.id, $0) })
    }

    /// The folder's ancestors from its parent to the top (stops at a broken link rather than looping).
    func ancestors(of id: String) -> [FolderRecord] {
        var chain: [FolderRecord] = []
        var next = byID[id]?.parentId
        while let parentID = next, let parent = byID[parentID], chain.count <= byID.count {
            chain.append(parent)
            next = parent.parentId
        }
        return chain
    }

    func path(of folder: FolderRecord) -> String {
        (ancestors(of: folder.id).reversed().map(\.name) + [folder.name]).joined(separator: "/")
    }

    /// How many levels the folder's subtree spans, itself included.
    func height(of id: String) -> Int {
        1 + (byID.values.filter { $0.parentId == id }.map { height(of: $0.id) }.max() ?? 0)
    }

    /// Every folder with its path, in path order.
    var wire: [Components.Schemas.Folder] {
        byID.values.map { $0.wire(path: path(of: $0)) }
            .sorted { $0.path.lowercased() == $1.path.lowercased() ? $0.id < $1.id : $0.path.lowercased() < $1.path.lowercased() }
    }
}
