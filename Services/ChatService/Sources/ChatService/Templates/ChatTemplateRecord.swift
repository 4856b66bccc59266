import AtriumShortcodes
import AtriumRuntime
import ChatAPI
import Foundation

/// A chat template as stored: `nameKey` is the lower-cased name that is unique in the firm,
/// `tasks` the JSON array of the task texts; reminders are off when both reminder fields are nil.
struct ChatTemplateRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var name: String
    var nameKey: String
    var subject: String
    var body: String
    var tasks: String
    var reminderDays: Int?
    var reminderCount: Int?
    var createdBy: String
    var createdAt: Int64
    var updatedAt: Int64

    /// The task texts, decoded (what we wrote ourselves, so a failure is our bug: a 500).
    func taskTexts() throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(tasks.utf8))
    }

    mutating func setTasks(_ texts: [String]) throws {
        tasks = String(decoding: try JSONEncoder().encode(texts), as: UTF8.self)
    }

    var reminders: TemplateReminders? {
        get { reminderDays.flatMap { days in reminderCount.map { TemplateReminders(daysUntilNext: days, count: $0) } } }
        set {
            reminderDays = newValue?.daysUntilNext
            reminderCount = newValue?.count
        }
    }

    mutating func rename(_ name: String) {
        self.name = name
        nameKey = name.lowercased()
    }

    /// The shortcodes subject and body use, in `Shortcode.allCases` order.
    var shortcodes: [Shortcode] {
        let used = Shortcodes.used(in: subject).union(Shortcodes.used(in: body))
        return Shortcode.allCases.filter(used.contains)
    }

    func wire() throws -> Components.Schemas.ChatTemplate {
        .init(
            id: id, firmId: firmId, name: name, subject: subject, body: body, tasks: try taskTexts().map { .init(text: $0) },
            reminders: reminders.map { .init(daysUntilNext: $0.daysUntilNext, count: $0.count) },
            shortcodes: shortcodes.map(\.rawValue), createdBy: createdBy,
            createdAt: EpochMillis.date(millis: createdAt), updatedAt: EpochMillis.date(millis: updatedAt))
    }
}
