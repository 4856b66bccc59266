/// The event types Atrium services publish through their outboxes.
///
/// The payload of each is a schema in the producer's OpenAPI document.
public enum EventTypes {
    /// ChatService: every client task of a thread is checked off (`TasksCompletedEvent`).
    public static let chatThreadTasksCompleted = "chat.thread.tasks_completed"
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

    /// Events for Atrium's own services only: firm subscriptions never receive them (not even with
    /// `*`) and may not name them. Every other type is published for integrators too.
    public static let internalOnly: Set<String> = [accountInvitationCreated]

    /// What every access-enforcing service hears from AccountService to keep its access cache current.
    public static let directoryChanges = [accountAccessUpdated, accountMemberUpdated, accountFirmSettingsUpdated]
}
