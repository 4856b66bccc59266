import AtriumRuntime
import Foundation
import PipelineAPI

/// Invoices, organizers and proposals (SPEC "Pipelines"): the team who may see the account reads,
/// records payments and cancels; the account's contacts read, answer, submit and sign; nobody
/// else learns an item exists.
extension PipelineAPIHandler {
    func getClientItem(_ input: Operations.GetClientItem.Input) async throws -> Operations.GetClientItem.Output {
        let caller = try RequestScope.requireCaller()
        let item = try await visibleItem(input.path.itemId, to: caller)
        return .ok(.init(body: .json(try await wire([item], for: caller))))
    }

    func listJobItems(_ input: Operations.ListJobItems.Input) async throws -> Operations.ListJobItems.Output {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind != .contact, "Contacts have no access to jobs.")
        try await requireVisibleJob(input.path.jobId, to: caller)
        let records = try await items.store.items(job: input.path.jobId, on: database.sql)
        return .ok(.init(body: .json(.init(items: try await wires(records, for: caller)))))
    }

    func listAccountItems(_ input: Operations.ListAccountItems.Input) async throws -> Operations.ListAccountItems.Output {
        let caller = try RequestScope.requireCaller()
        let limit = input.query.limit ?? 50
        guard (1...200).contains(limit) else { throw PipelineError.invalid("limit must be 1 to 200.") }
        guard try await directory.grant(for: input.path.accountId, visibleTo: caller) != nil else {
            throw RuntimeError.notFound("No account \(input.path.accountId) that you can see.")
        }
        let records = try await items.store.items(
            account: input.path.accountId, kind: input.query.kind.flatMap { ItemKind(rawValue: $0.rawValue) },
            status: input.query.status.flatMap { ClientItemStatus(rawValue: $0.rawValue) }, before: input.query.cursor, limit: limit, on: database.sql)
        return .ok(.init(body: .json(.init(items: try await wires(records, for: caller), nextCursor: records.count == limit ? records.last?.id : nil))))
    }

    func saveOrganizerAnswers(_ input: Operations.SaveOrganizerAnswers.Input) async throws -> Operations.SaveOrganizerAnswers.Output {
        guard case .json(let body) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let caller = try Self.answeringContact()
        let item = try await visibleItem(input.path.itemId, to: caller)
        guard body.answers.count <= ItemTemplateRules.maxQuestions else { throw PipelineError.invalid("answers has at most \(ItemTemplateRules.maxQuestions) answers.") }
        guard let organizer = item.decodedContent.organizer else {
            throw PipelineError.itemState("The item is of kind \(item.kind); only an organizer takes answers.")
        }
        let answers = try OrganizerRules.answers(body.answers.map { OrganizerAnswer(questionId: $0.questionId, value: $0.value) }, for: organizer)
        let saved = try await change(item.id) { lifecycle, locked, tx in try await lifecycle.saveAnswers(answers, on: locked, on: tx) }
        return .ok(.init(body: .json(try await wire([saved], for: caller))))
    }

    func submitOrganizer(_ input: Operations.SubmitOrganizer.Input) async throws -> Operations.SubmitOrganizer.Output {
        let caller = try Self.answeringContact()
        let item = try await visibleItem(input.path.itemId, to: caller)
        let saved = try await change(item.id) { lifecycle, locked, tx in try await lifecycle.submit(locked, by: caller.subject, on: tx) }
        return .ok(.init(body: .json(try await wire([saved], for: caller))))
    }

    func signProposal(_ input: Operations.SignProposal.Input) async throws -> Operations.SignProposal.Output {
        guard case .json(let body) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let caller = try Self.answeringContact()
        let typedName = try StageRules.name(body.typedName, field: "typedName")
        let item = try await visibleItem(input.path.itemId, to: caller)
        let saved = try await change(item.id) { lifecycle, locked, tx in
            try await lifecycle.sign(locked, typedName: typedName, by: caller.subject, on: tx)
        }
        return .ok(.init(body: .json(try await wire([saved], for: caller))))
    }

    func recordPayment(_ input: Operations.RecordPayment.Input) async throws -> Operations.RecordPayment.Output {
        guard case .json(let body) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind == .member, "Only team members record payments.")
        guard body.amountMinor >= 1 else { throw PipelineError.invalid("amountMinor must be at least 1.") }
        let note = try ItemTemplateRules.optionalText(body.note, field: "note", max: 2000)
        let item = try await visibleItem(input.path.itemId, to: caller)
        let saved = try await change(item.id) { lifecycle, locked, tx in
            let payment = PaymentRecord(id: Identifier.make("pay"), itemId: locked.id, amountMinor: body.amountMinor, currency: locked.currency ?? "",
                                        method: body.method.rawValue, note: note, source: "team", providerPaymentId: nil, recordedBy: caller.subject,
                                        recordedAt: EpochMillis.now())
            return try await lifecycle.pay(locked, payment, on: tx).0
        }
        return .created(.init(body: .json(try await wire([saved], for: caller))))
    }

    func cancelClientItem(_ input: Operations.CancelClientItem.Input) async throws -> Operations.CancelClientItem.Output {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind == .member, "Only team members cancel items.")
        let item = try await visibleItem(input.path.itemId, to: caller)
        let saved = try await change(item.id) { lifecycle, locked, tx in try await lifecycle.cancel(locked, by: caller.subject, on: tx) }
        return .ok(.init(body: .json(try await wire([saved], for: caller))))
    }

    // MARK: Helpers

    /// The item when `caller` may see its account (a contact: only their own account's); else 404.
    func visibleItem(_ id: String, to caller: Caller) async throws -> ClientItemRecord {
        guard let item = try await items.store.item(id, on: database.sql),
            try await directory.allows(caller, account: item.accountId, firm: item.firmId) else {
            throw PipelineError.itemNotFound(id)
        }
        return item
    }

    /// A 404 unless `caller` may see the account of job `jobID`: who may see a job follows who may see its account.
    ///
    /// Until jobs are stored, a job is known by the items and tasks linked to it (all of one
    /// account), so a job with none is "not found" too; with jobs, this becomes a lookup of the job.
    func requireVisibleJob(_ jobID: String, to caller: Caller) async throws {
        guard let job = try await jobs.job(jobID, on: database.sql),
            try await directory.allows(caller, account: job.accountId, firm: job.firmId) else {
            throw RuntimeError.notFound("No job \(jobID) that you can see.")
        }
    }

    /// A contact acting for themselves (not a team member's read-only portal view).
    static func answeringContact() throws -> Caller {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind == .contact && caller.portalView == nil, "Only the account's contacts answer, submit and sign items.")
        return caller
    }

    /// Runs `body` on item `id` locked, in an outbox transaction.
    private func change(
        _ id: String, _ body: @escaping @Sendable (ItemLifecycle, ClientItemRecord, OutboxTransaction) async throws -> ClientItemRecord
    ) async throws -> ClientItemRecord {
        let (store, lifecycle) = (items.store, items.lifecycle)
        return try await items.outbox.transaction { tx in
            guard let locked = try await store.item(id, lock: true, on: tx.sql) else { throw PipelineError.itemNotFound(id) }
            return try await body(lifecycle, locked, tx)
        }
    }

    private func wire(_ records: [ClientItemRecord], for caller: Caller) async throws -> Components.Schemas.ClientItem {
        guard let first = try await wires(records, for: caller).first else { throw PipelineError.itemNotFound("?") }
        return first
    }

    private func wires(_ records: [ClientItemRecord], for caller: Caller) async throws -> [Components.Schemas.ClientItem] {
        let invoices = records.filter { $0.itemKind == .invoice }.map(\.id)
        let payments = try await items.store.payments(of: invoices, on: database.sql)
        return records.map { $0.wire(payments: payments[$0.id] ?? [], for: caller) }
    }
}
