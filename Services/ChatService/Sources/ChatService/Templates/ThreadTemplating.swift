import AtriumShortcodes
import AtriumRuntime
import Foundation

extension ChatAPIHandler {
    /// Fills the draft from the firm's template `templateID`: its subject and body with their
    /// shortcodes rendered, its tasks before the request's own, its reminders unless the request
    /// sets them. A shortcode with nothing to stand for (`[JOB_NAME]` without a job) is refused.
    func apply(
        template templateID: String, to draft: inout ThreadDraft, grant: AccountGrant, recipient: ChatContact?,
        names known: (account: String, firm: String)? = nil
    ) async throws {
        guard let template = try await chatTemplates.template(id: templateID, on: database.sql),
            template.firmId == grant.firmID else {
            throw ChatError.invalid("templateId \(templateID) is not a chat template of this firm.")
        }
        let names: (account: String, firm: String)
        if let known { names = known } else { names = try await people.names(account: grant.accountID, firm: grant.firmID) }
        // One message reaches every recipient, so contact shortcodes name the first of them.
        let context = ShortcodeContext(
            accountName: names.account, contactFirstName: recipient?.firstName, contactLastName: recipient?.lastName,
            firmName: names.firm, jobName: draft.jobName, now: Date(timeIntervalSince1970: TimeInterval(clock.now()) / 1000))
        let missing = Shortcodes.missing(for: template.subject + "\n" + template.body, context: context)
        guard missing.isEmpty else {
            throw ChatError.invalid("The template uses " + missing.map { "[\($0.rawValue)]" }.joined(separator: ", ")
                                    + " but this thread has nothing for it" + (missing.contains(Shortcode.jobName) ? " (give jobName)." : "."))
        }
        if draft.subject.isEmpty { draft.subject = String(Shortcodes.render(template.subject, context, markdown: false).prefix(300)) }
        if draft.text == nil { draft.text = try MessageText.validate(Shortcodes.render(template.body, context, markdown: true)) }
        draft.tasks = try TaskTexts.validate(try template.taskTexts() + draft.tasks, field: "tasks")
        if draft.reminders == nil, let days = template.reminderDays, let count = template.reminderCount {
            draft.reminders = (days, count)
        }
        try draft.checkContent()
    }
}
