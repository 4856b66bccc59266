import AtriumRuntime
import Foundation
import PipelineAPI

extension InvoiceLine {
    var wire: Components.Schemas.InvoiceLine { .init(description: description, quantity: quantity, unitAmountMinor: unitAmountMinor) }
}

extension InvoiceContent {
    var wire: Components.Schemas.InvoiceContent { .init(currency: currency, lineItems: lineItems.map(\.wire), note: note) }
}

extension OrganizerQuestion {
    var wire: Components.Schemas.OrganizerQuestion {
        .init(id: id, prompt: prompt, _type: .init(rawValue: type.rawValue) ?? .text, required: required, options: options)
    }
}

extension OrganizerContent {
    var wire: Components.Schemas.OrganizerContent { .init(title: title, questions: questions.map(\.wire)) }
}

extension Money {
    var wire: Components.Schemas.ItemMoney { .init(amountMinor: amountMinor, currency: currency) }
}

extension ProposalContent {
    var wire: Components.Schemas.ProposalContent { .init(title: title, body: body, fee: fee?.wire) }
}

extension TaskContent {
    var wire: Components.Schemas.TeamTaskContent {
        .init(title: title, description: description, dueInDays: dueInDays, blocksAutomove: blocksAutomove)
    }
}

extension ItemTemplateRecord {
    var wire: Components.Schemas.ItemTemplate {
        let content = (try? ItemTemplateContent.decode(self.content)) ?? ItemTemplateContent()
        return .init(id: id, kind: .init(rawValue: kind) ?? .task, name: name, invoice: content.invoice?.wire, organizer: content.organizer?.wire,
                     proposal: content.proposal?.wire, task: content.task?.wire,
                     createdAt: EpochMillis.date(millis: createdAt), updatedAt: EpochMillis.date(millis: updatedAt))
    }
}

extension ClientItemRecord {
    /// The item as `caller` may see it: a contact is not shown the firm's workings (job, stage
    /// entry, template, payment notes and who recorded payments).
    func wire(payments: [PaymentRecord], for caller: Caller) -> Components.Schemas.ClientItem {
        let team = caller.kind != .contact
        let content = decodedContent
        let invoice = content.invoice.map { invoice in
            Components.Schemas.InvoiceState(
                currency: invoice.currency, lineItems: invoice.lineItems.map(\.wire), note: invoice.note, totalMinor: totalMinor, paidMinor: paidMinor,
                payments: payments.map { $0.wire(team: team) })
        }
        let organizer = content.organizer.map { organizer in
            Components.Schemas.OrganizerState(title: organizer.title, questions: organizer.questions.map(\.wire),
                                              answers: decodedAnswers.map { .init(questionId: $0.questionId, value: $0.value) })
        }
        let proposal = content.proposal.map { proposal in
            Components.Schemas.ProposalState(title: proposal.title, body: proposal.body, fee: proposal.fee?.wire, signedName: signedName)
        }
        return .init(
            id: id, kind: .init(rawValue: kind) ?? .invoice, status: .init(rawValue: status) ?? .sent, accountId: accountId,
            jobId: team ? jobId : nil, entryId: team ? entryId : nil, templateId: team ? templateId : nil, name: name,
            invoice: invoice, organizer: organizer, proposal: proposal,
            completedAt: completedAt.map(EpochMillis.date(millis:)), completedBy: team || itemKind != .invoice ? completedBy : nil,
            cancelledAt: cancelledAt.map(EpochMillis.date(millis:)), cancelledBy: team ? cancelledBy : nil,
            reminders: team ? reminderEveryDays.flatMap { every in
                reminderMax.map { .init(everyDays: Int(every), maxCount: Int($0), sent: Int(remindersSent)) }
            } : nil,
            createdAt: EpochMillis.date(millis: createdAt), updatedAt: EpochMillis.date(millis: updatedAt))
    }
}

extension PaymentRecord {
    func wire(team: Bool) -> Components.Schemas.ItemPayment {
        .init(id: id, amountMinor: amountMinor, currency: currency, method: .init(rawValue: method) ?? .other, source: .init(rawValue: source) ?? .team,
              note: team ? note : nil, providerPaymentId: team ? providerPaymentId : nil, recordedBy: team ? recordedBy : nil,
              recordedAt: EpochMillis.date(millis: recordedAt))
    }
}

extension TeamTaskRecord {
    var wire: Components.Schemas.TeamTask {
        .init(id: id, status: .init(rawValue: status) ?? .open, accountId: accountId, jobId: jobId, entryId: entryId, templateId: templateId,
              title: title, description: description, assigneeIds: assignees, dueAt: dueAt.map(EpochMillis.date(millis:)),
              blocksAutomove: blocksAutomove != 0, completedAt: completedAt.map(EpochMillis.date(millis:)), completedBy: completedBy,
              createdAt: EpochMillis.date(millis: createdAt), updatedAt: EpochMillis.date(millis: updatedAt))
    }
}
