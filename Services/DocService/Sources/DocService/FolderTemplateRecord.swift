import AtriumRuntime
import DocAPI
import Foundation

/// A folder template as stored: `structure` is the JSON of its `[TemplateFolder]`, `nameKey` the
/// lower-cased name that is unique in the firm.
struct FolderTemplateRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var name: String
    var nameKey: String
    var structure: String
    var folderCount: Int
    var createdBy: String
    var createdAt: Int64
    var updatedAt: Int64

    /// The structure, decoded (what we wrote ourselves, so a failure is our bug: a 500).
    func folders() throws -> [TemplateFolder] {
        try JSONDecoder().decode([TemplateFolder].self, from: Data(structure.utf8))
    }

    /// Stores `folders` as the template's structure.
    mutating func setFolders(_ folders: [TemplateFolder]) throws {
        structure = String(decoding: try JSONEncoder().encode(folders), as: UTF8.self)
        folderCount = TemplateFolder.count(folders)
    }

    func wire() throws -> Components.Schemas.FolderTemplate {
        .init(id: id, name: name, folders: try folders().map(\.wire), folderCount: folderCount,
              createdAt: EpochMillis.date(millis: createdAt), updatedAt: EpochMillis.date(millis: updatedAt))
    }
}

/// One folder of a template, with the folders to make inside it.
struct TemplateFolder: Codable, Sendable, Equatable {
    var name: String
    var children: [TemplateFolder]

    var wire: Components.Schemas.FolderTemplateNode {
        .init(name: name, children: children.isEmpty ? nil : children.map(\.wire))
    }

    /// How many folders `folders` holds, at every level.
    static func count(_ folders: [TemplateFolder]) -> Int {
        folders.reduce(0) { $0 + 1 + count($1.children) }
    }
}
