/// The event types Atrium services publish through their outboxes.
///
/// The payload of each is a schema in the producer's OpenAPI document.
public enum EventTypes {
    /// ChatService: every client task of a thread is checked off (`TasksCompletedEvent`).
    public static let chatThreadTasksCompleted = "chat.thread.tasks_completed"
    /// ChatService: a thread whose tasks were all done got a new or unchecked task (`TasksCompletedEvent`).
    public static let chatThreadTasksReopened = "chat.thread.tasks_reopened"
    /// ChatService: a thread was started (`ThreadCreatedEvent`).
    public static let chatThreadCreated = "chat.thread.created"
    /// ChatService: a message anyone in the thread can see was posted (`MessageCreatedEvent`).
    public static let chatMessageCreated = "chat.message.created"
    /// ChatService: an internal note was posted (`MessageCreatedEvent`); for Atrium's services only.
    public static let chatNoteCreated = "chat.note.created"
    /// ChatService: client tasks were added, checked, unchecked, renamed or deleted (`TaskChangedEvent`).
    public static let chatTaskChanged = "chat.task.changed"
    /// ChatService: a thread was archived (`ThreadStatusEvent`).
    public static let chatThreadArchived = "chat.thread.archived"
    /// ChatService: an archived thread was reopened (`ThreadStatusEvent`).
    public static let chatThreadReopened = "chat.thread.reopened"
    /// ChatService: a reminder about a thread's last message is due; NotifyService e-mails it (`ReminderDueEvent`).
    public static let chatThreadReminderDue = "chat.thread.reminder_due"
    /// ChatService: a thread was linked to a job (`JobLinkEvent`); PipelineService takes up links people make.
    public static let chatThreadJobLinked = "chat.thread.job_linked"
    /// ChatService: a thread's link to a job was removed (`JobLinkEvent`).
    public static let chatThreadJobUnlinked = "chat.thread.job_unlinked"
    /// ChatService: a document was attached to a thread (`DocumentAttachedEvent`).
    public static let chatThreadDocumentAttached = "chat.thread.document_attached"
    /// DocService: a folder template was applied to an account and created folders (`FolderTemplateAppliedEvent`).
    /// Published for integrators too: ids and the template's name, nothing secret.
    public static let docFolderTemplateApplied = "doc.folder_template.applied"
    /// AccountService: an account's tags changed (`TagsUpdatedEvent`).
    public static let accountTagsUpdated = "account.tags_updated"
    /// AccountService: who may see an account changed — assignments or contacts' portal access (`AccountAccess`).
    public static let accountAccessUpdated = "account.access_updated"
    /// AccountService: a team member's role, rights or status changed (`MemberUpdatedEvent`).
    public static let accountMemberUpdated = "account.member_updated"
    /// AccountService: a firm's settings changed (`FirmSettingsEvent`).
    public static let accountFirmSettingsUpdated = "account.firm_settings_updated"
    /// AccountService: a team member or contact was invited; NotifyService e-mails it (`InvitationEvent`).
    public static let accountInvitationCreated = "account.invitation_created"
    /// DocService: a document was uploaded, by a team member, a contact or a service (`DocumentUploadedEvent`).
    public static let docDocumentUploaded = "doc.document.uploaded"
    /// DocService: a document was deleted; whatever refers to it drops it (`DocumentDeletedEvent`).
    public static let docDocumentDeleted = "doc.document.deleted"
    /// PipelineService: a job was created in its first stage (`JobEvent`).
    public static let pipelineJobCreated = "pipeline.job.created"
    /// PipelineService: a job moved to another stage, by a person or by automove (`JobMovedEvent`).
    public static let pipelineJobMoved = "pipeline.job.moved"
    /// PipelineService: a job was completed (`JobEvent`).
    public static let pipelineJobCompleted = "pipeline.job.completed"
    /// PipelineService: a job was archived (`JobEvent`).
    public static let pipelineJobArchived = "pipeline.job.archived"
    /// PipelineService: an automation's attempt failed for the first time in a stage entry (`AutomationFailedEvent`).
    public static let pipelineAutomationFailed = "pipeline.automation.failed"
    /// PipelineService: an invoice was paid, an organizer submitted or a proposal signed (`ClientItemEvent`).
    public static let pipelineItemCompleted = "pipeline.item.completed"
    /// PipelineService: the team cancelled an invoice, organizer or proposal (`ClientItemEvent`).
    public static let pipelineItemCancelled = "pipeline.item.cancelled"
    /// PipelineService: a team task was marked done (`TeamTaskEvent`).
    public static let pipelineTaskCompleted = "pipeline.task.completed"
    /// PipelineService: a done team task was opened again (`TeamTaskEvent`).
    public static let pipelineTaskReopened = "pipeline.task.reopened"
    /// PipelineService: a client item is still unfinished and its automation asked for reminders (`ClientItemReminderEvent`).
    public static let pipelineItemReminderDue = "pipeline.item.reminder_due"

    /// Events for Atrium's own services only: firm subscriptions never receive them (not even with
    /// `*`) and may not name them. Every other type is published for integrators too.
    /// Internal notes are the team's alone: an integrator's subscription never carries one.
    public static let internalOnly: Set<String> = [accountInvitationCreated, chatNoteCreated]

    /// What every access-enforcing service hears from AccountService to keep its access cache current.
    public static let directoryChanges = [accountAccessUpdated, accountMemberUpdated, accountFirmSettingsUpdated]
}
