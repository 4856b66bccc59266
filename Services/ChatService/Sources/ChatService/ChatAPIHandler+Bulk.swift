import AtriumRuntime
import ChatAPI
import Foundation
import OpenAPIRuntime

/// Bulk sends: one thread per account, in the background (SPEC "Chats": send to many clients at once).
extension ChatAPIHandler {
    var bulks: BulkSendStore { BulkSendStore(forUpdate: database.forUpdate) }

    func createBulkSend(_ input: Operations.CreateBulkSend.Input) async throws -> Operations.CreateBulkSend.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw ChatError.invalid("Expected a JSON body.") }
        guard caller.kind == .member, let firm = caller.firmID else { throw ChatError.notAllowed("Bulk sends are the team's.") }
        let accounts = try IDList.validate(body.accountIds, field: "accountIds", max: 10_000)
        guard !accounts.isEmpty else { throw ChatError.invalid("accountIds names no account.") }
        let request = BulkRequest(
            templateId: body.templateId, subject: body.subject, text: body.text, tasks: (body.tasks ?? []).map(\.text),
            reminderDays: body.reminders?.daysUntilNext, reminderCount: body.reminders?.count, remindersOn: body.reminders != nil)
        // Checked once here, so a bad request is a 400 now rather than ten thousand failures later.
        _ = try request.draft(account: accounts[0])
        if let templateID = request.templateId {
            guard let template = try await chatTemplates.template(id: templateID, on: database.sql), template.firmId == firm else {
                throw ChatError.invalid("templateId \(templateID) is not a chat template of this firm.")
            }
        }
        let bulk = BulkSendRecord(
            id: Identifier.make("bulk"), firmId: firm, caller: try JSONCoding.string(BulkCaller(caller)), request: try JSONCoding.string(request),
            status: BulkStatus.running, total: Int64(accounts.count), sent: 0, skipped: 0, createdAt: clock.now())
        let bulks = self.bulks
        try await outbox.transaction { tx in
            try await bulks.insert(bulk, accounts: accounts, on: tx.sql)
            try await JobQueue.enqueue(BulkSendJob.kind, .init(bulkSendId: bulk.id), runAt: bulk.createdAt, uniqueKey: "\(BulkSendJob.kind.name):\(bulk.id):start", in: tx.sql)
        }
        return .accepted(.init(body: .json(bulk.wire)))
    }

    func getBulkSend(_ input: Operations.GetBulkSend.Input) async throws -> Operations.GetBulkSend.Output {
        .ok(.init(body: .json(try await visibleBulk(input.path.bulkSendId).wire)))
    }

    func listBulkSendItems(_ input: Operations.ListBulkSendItems.Input) async throws -> Operations.ListBulkSendItems.Output {
        let bulk = try await visibleBulk(input.path.bulkSendId)
        let size = try Paging.size(input.query.limit)
        let after = try input.query.cursor.map { cursor in
            guard let position = Int64(cursor), position >= 0 else { throw ChatError.invalid("cursor is not one this list gave.") }
            return position
        }
        let page = try await bulks.items(bulk.id, status: input.query.status?.rawValue, after: after, limit: size + 1, on: database.sql)
        let items = page.prefix(size)
        return .ok(.init(body: .json(.init(
            items: items.map(\.wire), nextCursor: page.count > size ? items.last.map { String($0.position) } : nil))))
    }

    /// The bulk send when the caller is on its firm's team (or a service); 404 otherwise.
    private func visibleBulk(_ id: String) async throws -> BulkSendRecord {
        let caller = try RequestScope.requireCaller()
        guard let bulk = try await bulks.find(id, on: database.sql), caller.isTeamSide(of: bulk.firmId) else { throw ChatError.bulkSendNotFound(id) }
        return bulk
    }
}

extension BulkSendRecord {
    var wire: Components.Schemas.BulkSend {
        .init(id: id, firmId: firmId, status: status == BulkStatus.done ? .done : .running, total: Int(total), sent: Int(sent),
              skipped: Int(skipped), pending: Int(max(0, total - sent - skipped)), createdAt: EpochMillis.date(millis: createdAt),
              finishedAt: finishedAt.map(EpochMillis.date(millis:)))
    }
}

extension BulkSendItemRecord {
    var wire: Components.Schemas.BulkSendItem {
        .init(accountId: accountId, status: .init(rawValue: status) ?? .pending, reason: reason.flatMap { .init(rawValue: $0) },
              detail: detail, threadId: threadId)
    }
}
