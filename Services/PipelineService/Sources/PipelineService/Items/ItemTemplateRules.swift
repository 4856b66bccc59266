import AtriumRuntime
import Foundation
import PipelineAPI

/// What an item template must be: each refusal is a 400 naming the field.
enum ItemTemplateRules {
    static let maxQuestions = 200
    static let maxLines = 100

    /// The content of `kind` from a draft or change, checked; the other kinds' fields must be absent.
    static func content(
        kind: ItemKind, invoice: Components.Schemas.InvoiceContent?, organizer: Components.Schemas.OrganizerContent?,
        proposal: Components.Schemas.ProposalContent?, task: Components.Schemas.TeamTaskContent?
    ) throws -> ItemTemplateContent? {
        let given: [(ItemKind, Bool)] = [(.invoice, invoice != nil), (.organizer, organizer != nil), (.proposal, proposal != nil), (.task, task != nil)]
        for (other, present) in given where present && other != kind {
            throw PipelineError.invalid("\(other.rawValue) does not belong in a \(kind.rawValue) template; give `\(kind.rawValue)` only.")
        }
        switch kind {
        case .invoice: return try invoice.map { ItemTemplateContent(invoice: try self.invoice($0)) }
        case .organizer: return try organizer.map { ItemTemplateContent(organizer: try self.organizer($0)) }
        case .proposal: return try proposal.map { ItemTemplateContent(proposal: try self.proposal($0)) }
        case .task: return try task.map { ItemTemplateContent(task: try self.task($0)) }
        }
    }

    static func invoice(_ wire: Components.Schemas.InvoiceContent) throws -> InvoiceContent {
        let currency = try self.currency(wire.currency, field: "invoice.currency")
        guard (1...maxLines).contains(wire.lineItems.count) else { throw PipelineError.invalid("invoice.lineItems has 1 to \(maxLines) lines.") }
        let lines = try wire.lineItems.enumerated().map { index, line in
            let field = "invoice.lineItems[\(index)]"
            let description = try text(line.description, field: "\(field).description", max: 500)
            guard (1...1_000_000).contains(line.quantity) else { throw PipelineError.invalid("\(field).quantity must be 1 to 1000000.") }
            guard line.unitAmountMinor >= 0 else { throw PipelineError.invalid("\(field).unitAmountMinor must not be negative.") }
            return InvoiceLine(description: description, quantity: line.quantity, unitAmountMinor: line.unitAmountMinor)
        }
        let content = InvoiceContent(currency: currency, lineItems: lines, note: try optionalText(wire.note, field: "invoice.note", max: 5000))
        guard let total = content.total, total <= 1_000_000_000_000_000 else { throw PipelineError.invalid("invoice.lineItems total too much.") }
        guard total > 0 else { throw PipelineError.invalid("invoice.lineItems must total more than zero.") }
        return content
    }

    static func organizer(_ wire: Components.Schemas.OrganizerContent) throws -> OrganizerContent {
        let title = try StageRules.name(wire.title, field: "organizer.title")
        guard (1...maxQuestions).contains(wire.questions.count) else {
            throw PipelineError.invalid("organizer.questions has 1 to \(maxQuestions) questions.")
        }
        var ids: Set<String> = []
        let questions = try wire.questions.enumerated().map { index, question in
            let field = "organizer.questions[\(index)]"
            guard !question.id.isEmpty, question.id.count <= 64,
                question.id.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }) else {
                throw PipelineError.invalid("\(field).id must be 1 to 64 letters, digits, - or _.")
            }
            guard ids.insert(question.id).inserted else { throw PipelineError.invalid("\(field).id \(question.id) is used twice.") }
            let prompt = try text(question.prompt, field: "\(field).prompt", max: 1000)
            let type = QuestionType(rawValue: question._type.rawValue) ?? .text
            var options: [String]?
            if type == .choice {
                let given = try (question.options ?? []).enumerated().map { try StageRules.name($1, field: "\(field).options[\($0)]") }
                guard (2...50).contains(given.count), Set(given).count == given.count else {
                    throw PipelineError.invalid("\(field).options must name 2 to 50 distinct choices.")
                }
                options = given
            } else if question.options != nil {
                throw PipelineError.invalid("\(field).options belong only to choice questions.")
            }
            return OrganizerQuestion(id: question.id, prompt: prompt, type: type, required: question.required ?? false, options: options)
        }
        return OrganizerContent(title: title, questions: questions)
    }

    static func proposal(_ wire: Components.Schemas.ProposalContent) throws -> ProposalContent {
        let fee = try wire.fee.map { fee in
            guard fee.amountMinor >= 0 else { throw PipelineError.invalid("proposal.fee.amountMinor must not be negative.") }
            return Money(amountMinor: fee.amountMinor, currency: try currency(fee.currency, field: "proposal.fee.currency"))
        }
        return ProposalContent(title: try StageRules.name(wire.title, field: "proposal.title"),
                               body: try text(wire.body, field: "proposal.body", max: 20_000), fee: fee)
    }

    static func task(_ wire: Components.Schemas.TeamTaskContent) throws -> TaskContent {
        if let days = wire.dueInDays, !(0...3650).contains(days) { throw PipelineError.invalid("task.dueInDays must be 0 to 3650.") }
        return TaskContent(title: try StageRules.name(wire.title, field: "task.title"),
                           description: try optionalText(wire.description, field: "task.description", max: 5000) ?? "",
                           dueInDays: wire.dueInDays, blocksAutomove: wire.blocksAutomove ?? false)
    }

    /// An ISO 4217 code: three upper-case letters.
    static func currency(_ text: String, field: String) throws -> String {
        guard text.count == 3, text.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw PipelineError.invalid("\(field) must be an ISO 4217 code: three upper-case letters, e.g. USD.")
        }
        return text
    }

    /// Text with something in it, at most `max` characters.
    static func text(_ text: String, field: String, max: Int) throws -> String {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, text.count <= max else {
            throw PipelineError.invalid("\(field) must be 1 to \(max) characters.")
        }
        return text
    }

    static func optionalText(_ text: String?, field: String, max: Int) throws -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        guard text.count <= max else { throw PipelineError.invalid("\(field) must be at most \(max) characters.") }
        return text
    }
}
