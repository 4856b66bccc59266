import Foundation

/// Checks on directory input, each failing with a sentence that names the field.
enum InputValidation {
    /// A trimmed, lower-cased e-mail address of a plausible shape.
    static func email(_ raw: String, field: String = "email") throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" })
        else { throw AccountError.invalid("\(field) must be a valid e-mail address.") }
        return email
    }

    static func name(_ raw: String, field: String, max: Int = 100) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...max).contains(name.count) else { throw AccountError.invalid("\(field) must be 1 to \(max) characters.") }
        return name
    }

    static func password(_ password: String, field: String = "password") throws -> String {
        guard password.count >= PasswordHasher.minCharacters else {
            throw AccountError.invalid("\(field) must be at least \(PasswordHasher.minCharacters) characters.")
        }
        guard password.utf8.count <= PasswordHasher.maxBytes else {
            throw AccountError.invalid("\(field) must be at most \(PasswordHasher.maxBytes) bytes.")
        }
        return password
    }
}
