import AtriumRuntime
import AtriumShortcodes
import Foundation
import NotifyAPI

/// A row of `email_templates`.
struct EmailTemplateRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var name: String
    /// The name lower-cased: unique in the firm.
    var nameKey: String
    var subject: String
    var body: String
    var createdBy: String
    var createdAt: Int64
    var updatedAt: Int64

    var wire: Components.Schemas.EmailTemplate {
        .init(id: id, name: name, subject: subject, body: body, createdAt: EpochMillis.date(millis: createdAt),
              updatedAt: EpochMillis.date(millis: updatedAt))
    }

    /// Checks a name, subject and body: trimmed, not empty, within bounds, and no unknown shortcode.
    static func checked(name: String, subject: String, body: String) throws -> (name: String, subject: String, body: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let subject = subject.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw NotifyError.invalid("name must be 1 to 200 characters.") }
        guard !subject.isEmpty, subject.count <= 300, !subject.contains(where: \.isNewline) else {
            throw NotifyError.invalid("subject must be one line of 1 to 300 characters.")
        }
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, body.count <= 20_000 else {
            throw NotifyError.invalid("body must be 1 to 20,000 characters.")
        }
        let unknown = Shortcodes.unknown(in: subject + "\n" + body)
        guard unknown.isEmpty else {
            throw NotifyError.invalid("Unknown shortcode\(unknown.count == 1 ? "" : "s"): " + unknown.joined(separator: ", ")
                + ". Known: " + Shortcode.allCases.map(\.token).joined(separator: ", ") + ".")
        }
        return (name, subject, body)
    }
}
