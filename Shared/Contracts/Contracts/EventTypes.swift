/// The event types Atrium services publish through their outboxes.
///
/// The payload of each is a schema in the producer's OpenAPI document.
public enum EventTypes {
    /// ChatService: every client task of a thread is checked off (`TasksCompletedEvent`).
    public static let chatThreadTasksCompleted = "chat.thread.tasks_completed"
    /// AccountService: an account's tags changed (`TagsUpdatedEvent`).
    public static let accountTagsUpdated = "account.tags_updated"
}
