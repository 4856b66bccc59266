import ChatAPI

/// A validated change: nil fields stay as they are.
struct ChatTemplateEdit {
    enum Reminders {
        case keep
        case off
        case on(TemplateReminders)
    }

    let name: String?
    let subject: String?
    let body: String?
    let tasks: [String]?
    let reminders: Reminders

    init(_ change: Components.Schemas.ChatTemplateChange) throws {
        name = try change.name.map(ChatTemplateRules.name)
        subject = try change.subject.map(ChatTemplateRules.subject)
        body = try change.body.map(ChatTemplateRules.body)
        tasks = try change.tasks.map(ChatTemplateRules.tasks)
        switch (change.reminders, change.remindersOff ?? false) {
        case (.some, true): throw ChatTemplateError.invalid("Send reminders or remindersOff, not both.")
        case (.some(let settings), false): reminders = .on(try ChatTemplateRules.reminders(settings))
        case (.none, true): reminders = .off
        case (.none, false): reminders = .keep
        }
        try ChatTemplateRules.shortcodes(subject: subject, body: body)
    }

    /// `template` with the change made (its `updatedAt` untouched).
    func applied(to template: ChatTemplateRecord) throws -> ChatTemplateRecord {
        var changed = template
        if let name { changed.rename(name) }
        if let subject { changed.subject = subject }
        if let body { changed.body = body }
        if let tasks { try changed.setTasks(tasks) }
        switch reminders {
        case .keep: break
        case .off: changed.reminders = nil
        case .on(let settings): changed.reminders = settings
        }
        return changed
    }
}
