import Foundation

/// What a document may be called (a clash falls back to `UniqueName`).
enum DocumentName {
    static let maxLength = 255

    /// A rename: refused (400) unless 1 to 255 characters without slashes or control characters.
    static func validate(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxLength).contains(name.unicodeScalars.count) else {
            throw DocError.invalid("name must be 1 to \(maxLength) characters.")
        }
        guard name != ".", name != "..", !name.contains("/"), !name.contains("\\"),
            !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw DocError.invalid("name may not be \".\" or \"..\" nor contain slashes or control characters.")
        }
        return name
    }

    /// An uploaded file's name as the client sent it, made safe rather than refused: the last path
    /// component, control characters dropped, at most 255 characters; "unnamed" when nothing is left.
    static func sanitize(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let scalars = last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }
        var name = String(String.UnicodeScalarView(scalars)).trimmingCharacters(in: .whitespacesAndNewlines)
        if name.unicodeScalars.count > maxLength {
            name = String(String.UnicodeScalarView(name.unicodeScalars.prefix(maxLength)))
        }
        return name.isEmpty || name == "." || name == ".." ? "unnamed" : name
    }

    /// `name` split before its extension: ("report", ".pdf"); a leading dot is no extension.
    static func split(_ name: String) -> (base: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }
}
