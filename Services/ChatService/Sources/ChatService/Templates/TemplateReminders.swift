/// A template's reminder settings (SPEC "Reminders"), when they are on.
struct TemplateReminders: Sendable, Equatable {
    static let defaultDays = 3
    static let defaultCount = 1

    var daysUntilNext: Int
    var count: Int
}
