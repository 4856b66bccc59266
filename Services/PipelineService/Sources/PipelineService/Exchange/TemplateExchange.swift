import AtriumRuntime
import Foundation
import PipelineAPI

/// The kinds of template a pipeline document carries: the three other services' and this
/// service's item templates.
enum TemplateKind: String, Sendable, CaseIterable, Codable {
    case chat, email, folder, invoice, organizer, proposal, task

    /// An item template: one of this service's, handled by `ItemTemplateExchange`.
    var isItem: Bool { ![.chat, .email, .folder].contains(self) }

    /// The kind of template an automation type uses; nil for types that use none.
    init?(_ type: AutomationType) {
        switch type {
        case .sendMessage: self = .chat
        case .sendEmail: self = .email
        case .applyFolderTemplate: self = .folder
        case .createInvoice: self = .invoice
        case .createOrganizer: self = .organizer
        case .createTask: self = .task
        case .sendProposal: self = .proposal
        case .updateAccountTags, .updateAccountAccess, .updateJobAssignees: return nil
        }
    }

    /// Where a document keeps templates of this kind, for messages.
    var documentField: String { isItem ? "document.templates.items (kind \(rawValue))" : "document.templates.\(rawValue)" }
}

/// One template in its portable form, as a document carries it.
enum PortableTemplate: Sendable, Hashable {
    case chat(Components.Schemas.PortableChatTemplate)
    case email(Components.Schemas.PortableEmailTemplate)
    case folder(Components.Schemas.PortableFolderTemplate)
    case item(Components.Schemas.PortableItemTemplate)

    var kind: TemplateKind {
        switch self {
        case .chat: .chat
        case .email: .email
        case .folder: .folder
        case .item(let item): TemplateKind(rawValue: item.kind.rawValue) ?? .task
        }
    }

    var ref: String {
        switch self {
        case .chat(let t): t.ref
        case .email(let t): t.ref
        case .folder(let t): t.ref
        case .item(let t): t.ref
        }
    }

    var name: String {
        switch self {
        case .chat(let t): t.name
        case .email(let t): t.name
        case .folder(let t): t.name
        case .item(let t): t.name
        }
    }

    /// The same template under another `ref`, with empty lists and settings left out, so that
    /// two templates compare equal when their content is.
    func with(ref: String) -> PortableTemplate {
        switch self {
        case .chat(var t):
            t.ref = ref
            if t.tasks?.isEmpty == true { t.tasks = nil }
            if t.reminders?.daysUntilNext == nil, t.reminders?.count == nil { t.reminders = nil }
            return .chat(t)
        case .email(var t):
            t.ref = ref
            return .email(t)
        case .folder(var t):
            t.ref = ref
            return .folder(t)
        case .item(var t):
            t.ref = ref
            return .item(t)
        }
    }

    /// Whether both say the same, whatever their refs.
    func sameContent(as other: PortableTemplate) -> Bool { with(ref: "") == other.with(ref: "") }
}

/// A template the caller's firm has: its id and its content.
struct StoredTemplate: Sendable, Equatable {
    var id: String
    var template: PortableTemplate
}

/// A tag of the caller's firm.
struct TagEntry: Sendable, Equatable {
    var id: String
    var name: String
}

/// What export and import ask of the other services, always **as the calling person** (their
/// token forwarded), so that templates and tags are read and made in the caller's firm with the
/// caller's rights. `LiveTemplateExchange` calls them over HTTP; tests answer in memory.
protocol TemplateExchange: Sendable {
    /// The chat, e-mail or folder template `id`, portable (with an empty `ref`); nil when the
    /// caller's firm has no such template.
    func template(_ kind: TemplateKind, id: String) async throws -> PortableTemplate?
    /// Every chat, e-mail or folder template of the caller's firm.
    func templates(_ kind: TemplateKind) async throws -> [StoredTemplate]
    /// Makes the template in the caller's firm; its new id.
    func create(_ template: PortableTemplate) async throws -> String
    /// The caller's firm's tags.
    func tags() async throws -> [TagEntry]
    /// Adds a tag to the caller's firm.
    func createTag(named name: String) async throws -> TagEntry
    /// The ids of the caller's firm's team members.
    func teamMemberIDs() async throws -> Set<String>
}
