import AtriumShortcodes
import ChatAPI
import Foundation

/// The rules of a chat template's fields, as the contract states them (lengths in code points).
/// Each function answers the field as stored (trimmed where white space means nothing) or throws
/// `ChatTemplateError.invalid` naming the field.
enum ChatTemplateRules {
    static func name(_ raw: String) throws -> String {
        try line(raw, field: "name", max: 120)
    }

    /// One line of plain text: the thread's subject once shortcodes are filled in.
    static func subject(_ raw: String) throws -> String {
        try line(raw, field: "subject", max: 300)
    }

    /// Markdown, kept as written (leading spaces may mean something); not blank.
    static func body(_ raw: String) throws -> String {
        guard (1...20_000).contains(raw.unicodeScalars.count), !raw.allSatisfy(\.isWhitespace) else {
            throw ChatTemplateError.invalid("body must be 1 to 20000 characters, not all white space.")
        }
        try requireText(raw, field: "body")
        return raw
    }

    /// The task texts, trimmed: at most 200, each 1 to 2000 characters.
    static func tasks(_ raw: [Components.Schemas.ChatTemplateTask]) throws -> [String] {
        guard raw.count <= 200 else { throw ChatTemplateError.invalid("tasks: a template carries at most 200 tasks.") }
        return try raw.enumerated().map { index, task in
            let text = task.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...2000).contains(text.unicodeScalars.count) else {
                throw ChatTemplateError.invalid("tasks[\(index)].text must be 1 to 2000 characters.")
            }
            try requireText(text, field: "tasks[\(index)].text")
            return text
        }
    }

    /// The settings with the contract's defaults filled in: 1 to 365 days, 1 to 20 reminders.
    static func reminders(_ raw: Components.Schemas.ReminderSettings) throws -> TemplateReminders {
        let settings = TemplateReminders(daysUntilNext: raw.daysUntilNext ?? TemplateReminders.defaultDays,
                                         count: raw.count ?? TemplateReminders.defaultCount)
        guard (1...365).contains(settings.daysUntilNext) else {
            throw ChatTemplateError.invalid("reminders.daysUntilNext must be 1 to 365.")
        }
        guard (1...20).contains(settings.count) else { throw ChatTemplateError.invalid("reminders.count must be 1 to 20.") }
        return settings
    }

    /// Refuses a subject or body holding a bracketed token that is no shortcode, naming every one.
    static func shortcodes(subject: String?, body: String?) throws {
        let unknown = (subject: subject.map(Shortcodes.unknown) ?? [], body: body.map(Shortcodes.unknown) ?? [])
        guard unknown.subject.isEmpty, unknown.body.isEmpty else {
            throw ChatTemplateError.unknownShortcodes(subject: unknown.subject, body: unknown.body)
        }
    }

    /// `raw` trimmed: 1 to `max` characters on one line.
    private static func line(_ raw: String, field: String, max: Int) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...max).contains(text.unicodeScalars.count) else {
            throw ChatTemplateError.invalid("\(field) must be 1 to \(max) characters.")
        }
        guard !text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw ChatTemplateError.invalid("\(field) must be one line without control characters.")
        }
        return text
    }

    /// Refuses control characters other than tabs and line breaks (PostgreSQL cannot even store NUL).
    private static func requireText(_ text: String, field: String) throws {
        let allowed: Set<Unicode.Scalar> = ["\t", "\n", "\r"]
        guard !text.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) && !allowed.contains($0) }) else {
            throw ChatTemplateError.invalid("\(field) may not contain control characters other than tabs and line breaks.")
        }
    }
}
