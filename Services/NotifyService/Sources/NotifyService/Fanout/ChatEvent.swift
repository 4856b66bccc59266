import AtriumRuntime
import ChatAPI
import Contracts
import Foundation

/// A ChatService event NotifyService acts on, decoded from its webhook body — or PipelineService's
/// reminder of an unfinished client item, which fans out the same way.
enum ChatEvent: Sendable {
    /// `chat.message.created`, or `chat.note.created` when the message is internal.
    case message(Components.Schemas.MessageCreatedEvent)
    case taskChanged(Components.Schemas.TaskChangedEvent)
    case tasksCompleted(Components.Schemas.TasksCompletedEvent)
    case documentAttached(Components.Schemas.DocumentAttachedEvent)
    case reminderDue(Components.Schemas.ReminderDueEvent)
    /// PipelineService's `pipeline.item.reminder_due`.
    case itemReminder(ItemReminderDue)

    /// The event in `body`, or nil for a type NotifyService does not act on.
    static func decode(type: String, body: Data) throws -> ChatEvent? {
        switch type {
        case EventTypes.chatMessageCreated, EventTypes.chatNoteCreated:
            .message(try WebhookEnvelope<Components.Schemas.MessageCreatedEvent>.decode(body).data)
        case EventTypes.chatTaskChanged:
            .taskChanged(try WebhookEnvelope<Components.Schemas.TaskChangedEvent>.decode(body).data)
        case EventTypes.chatThreadTasksCompleted:
            .tasksCompleted(try WebhookEnvelope<Components.Schemas.TasksCompletedEvent>.decode(body).data)
        case EventTypes.chatThreadDocumentAttached:
            .documentAttached(try WebhookEnvelope<Components.Schemas.DocumentAttachedEvent>.decode(body).data)
        case EventTypes.chatThreadReminderDue:
            .reminderDue(try WebhookEnvelope<Components.Schemas.ReminderDueEvent>.decode(body).data)
        case EventTypes.pipelineItemReminderDue:
            .itemReminder(try WebhookEnvelope<ItemReminderDue>.decode(body).data)
        default:
            nil
        }
    }

    var accountID: String {
        switch self {
        case .message(let event): event.accountId
        case .taskChanged(let event): event.accountId
        case .tasksCompleted(let event): event.accountId
        case .documentAttached(let event): event.accountId
        case .reminderDue(let event): event.accountId
        case .itemReminder(let event): event.accountId
        }
    }

    var firmID: String {
        switch self {
        case .message(let event): event.firmId
        case .taskChanged(let event): event.firmId
        case .tasksCompleted(let event): event.firmId
        case .documentAttached(let event): event.firmId
        case .reminderDue(let event): event.firmId
        case .itemReminder(let event): event.firmId
        }
    }

    /// The team members the rules may need to know about: whoever started the thread, acted, or was @mentioned.
    var memberIDs: [String] {
        var authors: [Components.Schemas.Author?] = []
        var ids: [String] = []
        switch self {
        case .message(let event):
            authors = [event.startedBy, event.author]
            ids = event.mentions
        case .taskChanged(let event): authors = [event.startedBy, event.actor]
        case .tasksCompleted(let event): authors = [event.startedBy, event.actor]
        case .documentAttached(let event): authors = [event.startedBy, event.attachedBy]
        case .reminderDue, .itemReminder: break
        }
        for case let author? in authors where author.kind == .member && !ids.contains(author.id) { ids.append(author.id) }
        return Array(ids.prefix(50))
    }
}

/// The payload of PipelineService's `pipeline.item.reminder_due` (its contract's
/// `ClientItemReminderEvent`), as much of it as a reminder needs.
struct ItemReminderDue: Codable, Sendable {
    var itemId: String
    /// `invoice`, `organizer` or `proposal`.
    var kind: String
    var name: String
    var firmId: String
    var accountId: String
    var reminder: Int
    var of: Int
}
