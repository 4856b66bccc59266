import Foundation

/// What an item template holds, and what an item copies from it when it is made: the content of
/// one kind. Stored as JSON (`item_templates.content`, `client_items.content`).
enum ItemKind: String, Codable, Sendable, CaseIterable {
    case invoice, organizer, proposal, task

    /// Whether items of this kind are sent to the client (all but team tasks).
    var isClientFacing: Bool { self != .task }
}

/// An amount in a currency's minor unit.
struct Money: Codable, Sendable, Equatable {
    var amountMinor: Int64
    var currency: String
}

/// One line of an invoice.
struct InvoiceLine: Codable, Sendable, Equatable {
    var description: String
    var quantity: Int64
    var unitAmountMinor: Int64
}

/// An invoice's lines, currency and note.
struct InvoiceContent: Codable, Sendable, Equatable {
    var currency: String
    var lineItems: [InvoiceLine]
    var note: String?

    /// The sum of quantity × unit amount; nil when it would overflow.
    var total: Int64? {
        var sum: Int64 = 0
        for line in lineItems {
            let (product, over) = line.quantity.multipliedReportingOverflow(by: line.unitAmountMinor)
            guard !over else { return nil }
            let (next, overSum) = sum.addingReportingOverflow(product)
            guard !overSum else { return nil }
            sum = next
        }
        return sum
    }
}

/// The kinds of answer an organizer's question takes.
enum QuestionType: String, Codable, Sendable {
    case text, longText = "long_text", number, yesNo = "yes_no", date, choice
}

/// One question of an organizer.
struct OrganizerQuestion: Codable, Sendable, Equatable {
    var id: String
    var prompt: String
    var type: QuestionType
    var required: Bool
    var options: [String]?
}

/// An organizer: a questionnaire the contact answers and submits.
struct OrganizerContent: Codable, Sendable, Equatable {
    var title: String
    var questions: [OrganizerQuestion]
}

/// A proposal the contact signs.
struct ProposalContent: Codable, Sendable, Equatable {
    var title: String
    var body: String
    var fee: Money?
}

/// A team task's template.
struct TaskContent: Codable, Sendable, Equatable {
    var title: String
    var description: String
    var dueInDays: Int?
    var blocksAutomove: Bool
}

/// The content of a template of one kind: exactly the field of its kind is set.
struct ItemTemplateContent: Codable, Sendable, Equatable {
    var invoice: InvoiceContent?
    var organizer: OrganizerContent?
    var proposal: ProposalContent?
    var task: TaskContent?

    var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }

    static func decode(_ text: String) throws -> ItemTemplateContent {
        try JSONDecoder().decode(ItemTemplateContent.self, from: Data(text.utf8))
    }
}

/// An organizer answer as saved: the question's id and the value as text.
struct OrganizerAnswer: Codable, Sendable, Equatable {
    var questionId: String
    var value: String
}
