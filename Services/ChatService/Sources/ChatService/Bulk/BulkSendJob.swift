import AtriumRuntime
import Foundation

/// Sends a bulk send a chunk at a time: one AccountService request per chunk for every account's
/// access, name and contacts, then one transaction per account that creates its thread and
/// settles its item. A chunk run twice (a crash, an expired lease) settles nothing twice.
struct BulkSendJob: Sendable {
    static let kind = JobKind<Run>("chat.bulk.chunk", maxAttempts: 20)
    static let chunk = 200

    struct Run: Codable, Sendable {
        var bulkSendId: String
    }

    let handler: ChatAPIHandler
    let bulks: BulkSendStore

    func handlers() -> JobHandlers {
        var jobs = JobHandlers()
        jobs.register(Self.kind) { _, run in
            try await runChunk(run.bulkSendId)
            return .succeeded()
        }
        return jobs
    }

    /// Settles the next chunk; enqueues the one after, or marks the bulk send done.
    func runChunk(_ bulkID: String) async throws {
        let db = handler.database
        guard let bulk = try await bulks.find(bulkID, on: db.sql), bulk.status == BulkStatus.running else { return }
        let items = try await bulks.pending(bulkID, limit: Self.chunk, on: db.sql)
        guard !items.isEmpty else {
            return try await db.transaction { [bulks, clock = handler.clock] tx in try await bulks.finish(bulkID, at: clock.now(), on: tx) }
        }
        guard let request = JSONCoding.decode(BulkRequest.self, bulk.request), let stored = JSONCoding.decode(BulkCaller.self, bulk.caller) else {
            throw RuntimeError.unavailable("Bulk send \(bulkID) cannot be read back.")
        }
        let facts = try await handler.people.lookup(items.map(\.accountId))
        let firmName = try await handler.people.firmName(bulk.firmId)
        for item in items {
            try await send(item, facts: facts[item.accountId], request: request, caller: stored.caller, firm: (bulk.firmId, firmName))
        }
        try await db.transaction { [clock = handler.clock] tx in
            try await JobQueue.enqueue(Self.kind, Run(bulkSendId: bulkID), runAt: clock.now(), uniqueKey: "\(Self.kind.name):\(bulkID):\(items[items.count - 1].position)", in: tx)
        }
        handler.outbox.signal.notify()
    }

    /// One account: its thread, or why it was skipped.
    private func send(_ item: BulkSendItemRecord, facts: AccountFacts?, request: BulkRequest, caller: Caller, firm: (id: String, name: String)) async throws {
        var outcome = item
        outcome.status = BulkStatus.skipped
        guard let facts, facts.grant.firmID == firm.id, caller.canSee(facts.grant) else {
            outcome.reason = "no_access"
            return try await settle(outcome, plan: nil)
        }
        do {
            let plan = try await handler.plan(try request.draft(account: item.accountId), grant: facts.grant, contacts: facts.contacts,
                                              by: caller, names: (facts.name, firm.name))
            outcome.status = BulkStatus.sent
            try await settle(outcome, plan: plan)
        } catch ChatError.noEligibleRecipient {
            outcome.reason = "no_eligible_contact"
            try await settle(outcome, plan: nil)
        } catch let error as ChatError {
            outcome.reason = "failed"
            outcome.detail = error.problemDetail
            try await settle(outcome, plan: nil)
        }
    }

    private func settle(_ outcome: BulkSendItemRecord, plan: ThreadStartPlan?) async throws {
        let (bulks, handler) = (self.bulks, self.handler)
        try await handler.outbox.transaction { tx in
            var outcome = outcome
            if let plan {
                // Settled first: a chunk run again finds the item taken and starts no second thread.
                outcome.threadId = Identifier.make("thr")
                guard try await bulks.settle(outcome, on: tx.sql) else { return }
                _ = try await handler.start(plan, on: tx, id: outcome.threadId)
            } else {
                _ = try await bulks.settle(outcome, on: tx.sql)
            }
        }
    }
}
