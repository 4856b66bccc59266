import DocAPI
import Foundation

/// The rules of a folder template: its name, and a structure that any account's tree can take.
enum FolderTemplateStructure {
    /// Levels a template may nest (an account's tree allows `FolderTree.maxDepth`, so it always fits).
    static let maxDepth = 10
    /// Folders a template may hold, at every level.
    static let maxFolders = 500

    /// The template's name, trimmed: 1 to 120 characters (code points), no control characters.
    static func name(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...120).contains(name.unicodeScalars.count) else { throw FolderTemplateError.invalid("name must be 1 to 120 characters.") }
        guard !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw FolderTemplateError.invalid("name may not contain control characters.")
        }
        return name
    }

    /// The structure with names trimmed, or the first thing wrong with it, named by where it is
    /// (`folders[0].children[2]`).
    static func validate(_ nodes: [Components.Schemas.FolderTemplateNode]) throws -> [TemplateFolder] {
        guard !nodes.isEmpty else { throw FolderTemplateError.invalid("folders must name at least one folder.") }
        var count = 0
        return try level(nodes, at: "folders", depth: 1, count: &count)
    }

    private static func level(
        _ nodes: [Components.Schemas.FolderTemplateNode], at location: String, depth: Int, count: inout Int
    ) throws -> [TemplateFolder] {
        var seen: [String: String] = [:]
        var folders: [TemplateFolder] = []
        for (index, node) in nodes.enumerated() {
            let here = "\(location)[\(index)]"
            count += 1
            guard count <= maxFolders else {
                throw FolderTemplateError.invalid("A template holds at most \(maxFolders) folders; \(here) is one too many.")
            }
            guard depth <= maxDepth else {
                throw FolderTemplateError.invalid("\(here): folders nest at most \(maxDepth) levels deep.")
            }
            let name = try folderName(node.name, at: here)
            if let sibling = seen[name.lowercased()] {
                throw FolderTemplateError.invalid(
                    "\(here).name: \"\(name)\" is already the name of a sibling, \"\(sibling)\" (names are compared in any case).")
            }
            seen[name.lowercased()] = name
            let children = try level(node.children ?? [], at: "\(here).children", depth: depth + 1, count: &count)
            folders.append(TemplateFolder(name: name, children: children))
        }
        return folders
    }

    /// A folder name by the rules of `FolderName`, refused with where it was.
    static func folderName(_ raw: String, at location: String) throws -> String {
        do {
            return try FolderName.validate(raw)
        } catch DocError.invalid(let why) {
            throw FolderTemplateError.invalid("\(location).\(why)")
        }
    }
}
