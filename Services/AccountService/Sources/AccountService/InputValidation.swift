import Foundation

/// Checks on directory input, each failing with a sentence that names the field.
enum InputValidation {
    /// A trimmed, lower-cased e-mail address of a plausible shape.
    static func email(_ raw: String, field: String = "email") throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.unicodeScalars.count <= maxEmailCharacters, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" })
        else { throw AccountError.invalid("\(field) must be a valid e-mail address.") }
        return email
    }

    /// Lengths count Unicode code points, as JSON Schema's `minLength` and `maxLength` do, so the
    /// numbers here and in the AccountAPI contract mean the same thing.
    static func name(_ raw: String, field: String, max: Int = 100) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...max).contains(name.unicodeScalars.count) else { throw AccountError.invalid("\(field) must be 1 to \(max) characters.") }
        return name
    }

    /// A new password: 10 to 200 characters; the hasher makes every one of them count.
    static func password(_ password: String, field: String = "password") throws -> String {
        guard (PasswordHasher.minCharacters...PasswordHasher.maxCharacters).contains(password.unicodeScalars.count) else {
            throw AccountError.invalid("\(field) must be \(PasswordHasher.minCharacters) to \(PasswordHasher.maxCharacters) characters.")
        }
        return password
    }

    /// What a sign-in names: the e-mail as stored (lower-cased, trimmed) and the password as typed.
    /// Only sizes are checked (the contract's limits), so a malformed address fails like a wrong one.
    static func signIn(email raw: String, password: String) throws -> (email: String, password: String) {
        guard raw.unicodeScalars.count <= maxEmailCharacters else { throw AccountError.invalid("email must be at most \(maxEmailCharacters) characters.") }
        guard password.unicodeScalars.count <= PasswordHasher.maxCharacters else {
            throw AccountError.invalid("password must be at most \(PasswordHasher.maxCharacters) characters.")
        }
        return ((try? email(raw)) ?? raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), password)
    }

    static let maxEmailCharacters = 254
}
