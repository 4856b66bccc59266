import Foundation

/// Whether an entry becomes a folder or a file; links and devices are refused.
enum ZipKind: Equatable {
    case file, folder

    /// From the Unix mode in the upper half of the external attributes, the name's trailing
    /// slash and the MS-DOS directory attribute (0x10).
    init(_ record: ZipRecord, name: String) throws(ZipRefusal) {
        switch (record.externalAttributes >> 16) & 0o170000 {
        case 0o120000: throw .symlink
        case 0o040000: self = .folder
        case 0o100000: self = name.hasSuffix("/") ? .folder : .file
        case 0: self = name.hasSuffix("/") || record.externalAttributes & 0x10 != 0 ? .folder : .file
        default: throw .specialFile
        }
    }
}

/// Collects entries into a plan, refusing duplicates and file/folder clashes as they come.
struct PlanBuilder {
    /// A folder by its key (lower-cased path): its path as first spelt, and the entry that made it.
    struct Folder {
        var path: String
        var entry: String
        var explicit: Bool
    }

    let limits: ZipLimits
    var folders: [String: Folder] = [:]
    var files: [String: ZipPlan.File] = [:]
    var skipped: [String] = []
    var depth = 0

    mutating func add(_ record: ZipRecord, dataLimit: Int64) throws(ZipRefusal) {
        guard let name = ZipPath.decode(record) else { throw .invalidEncoding }
        let segments = try ZipPath.segments(of: name, limits: limits)
        let kind = try ZipKind(record, name: name)
        if ZipPath.isJunk(segments) {
            skipped.append(name)
            return
        }
        let levels = kind == .folder ? segments.count : segments.count - 1
        guard levels <= limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth) }
        depth = max(depth, levels)
        // Parents take the spelling they were first given, so `Docs/a` and `docs/b` share one folder.
        var parent = ""
        for segment in segments.dropLast() {
            parent = try folder(parent.isEmpty ? segment : parent + "/" + segment, entry: name, explicit: false)
        }
        let path = parent.isEmpty ? segments[segments.count - 1] : parent + "/" + segments[segments.count - 1]
        switch kind {
        case .folder:
            _ = try folder(path, entry: name, explicit: true)
        case .file:
            let key = path.lowercased()
            if let other = files[key] { throw .duplicate(of: other.entry) }
            if let other = folders[key] { throw .fileFolderClash(with: other.entry) }
            files[key] = ZipPlan.File(path: path, size: record.uncompressedSize, entry: name, record: record, dataLimit: dataLimit)
        }
    }

    /// Records the folder at `path` and returns its path as first spelt.
    private mutating func folder(_ path: String, entry: String, explicit: Bool) throws(ZipRefusal) -> String {
        let key = path.lowercased()
        if let file = files[key] { throw .fileFolderClash(with: file.entry) }
        guard var existing = folders[key] else {
            folders[key] = Folder(path: path, entry: entry, explicit: explicit)
            return path
        }
        if explicit {
            if existing.explicit { throw .duplicate(of: existing.entry) }
            existing.explicit = true
            folders[key] = existing
        }
        return existing.path
    }

    /// Folders parents first, files after, each in path order.
    func plan(totalBytes: Int64) -> ZipPlan {
        ZipPlan(
            folders: folders.values.map(\.path).sorted(by: Self.pathOrder),
            files: files.values.sorted { Self.pathOrder($0.path, $1.path) },
            skipped: skipped, totalBytes: totalBytes, depth: depth, limits: limits)
    }

    /// Segment by segment, in any case first and then exactly, so a parent sorts before its children.
    static func pathOrder(_ lhs: String, _ rhs: String) -> Bool {
        let left = lhs.split(separator: "/").map { ($0.lowercased(), String($0)) }
        let right = rhs.split(separator: "/").map { ($0.lowercased(), String($0)) }
        for (l, r) in zip(left, right) where l != r {
            return l.0 != r.0 ? l.0 < r.0 : l.1 < r.1
        }
        return left.count < right.count
    }
}
