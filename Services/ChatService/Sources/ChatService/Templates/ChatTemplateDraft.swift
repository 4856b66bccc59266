import ChatAPI

/// A validated new template.
struct ChatTemplateDraft {
    let name: String
    let subject: String
    let body: String
    let tasks: [String]
    let reminders: TemplateReminders?

    init(_ input: Components.Schemas.ChatTemplateInput) throws {
        name = try ChatTemplateRules.name(input.name)
        subject = try ChatTemplateRules.subject(input.subject)
        body = try ChatTemplateRules.body(input.body)
        tasks = try ChatTemplateRules.tasks(input.tasks ?? [])
        reminders = try input.reminders.map(ChatTemplateRules.reminders)
        try ChatTemplateRules.shortcodes(subject: subject, body: body)
    }
}
