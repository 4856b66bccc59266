import AtriumRuntime
import Foundation
import NotifyAPI

/// The outgoing e-mail queue, for a firm's owners and admins (and Atrium's services).
extension NotifyAPIHandler {
    func listEmails(_ input: Operations.ListEmails.Input) async throws -> Operations.ListEmails.Output {
        let firm = try Self.emailViewer()
        let size = try Paging.size(input.query.limit)
        let rows = try await emails.page(firm: firm, status: input.query.status?.rawValue,
                                         before: try Paging.after(input.query.cursor, prefix: "eml"), limit: size + 1, on: database.sql)
        let next = rows.count > size ? TextCursor.make(rows[size - 1].id) : nil
        return .ok(.init(body: .json(.init(items: rows.prefix(size).map(\.wire), nextCursor: next))))
    }

    func getEmail(_ input: Operations.GetEmail.Input) async throws -> Operations.GetEmail.Output {
        let firm = try Self.emailViewer()
        let id = input.path.emailId
        guard let email = try await emails.email(id, on: database.sql), firm == nil || email.firmId == firm else {
            throw NotifyError.emailNotFound(id)
        }
        let attempts = try await emails.attempts(of: email, on: database.sql).map { attempt in
            Components.Schemas.EmailAttempt(
                number: Int(attempt.number), startedAt: EpochMillis.date(millis: attempt.startedAt),
                finishedAt: attempt.durationMs.map { EpochMillis.date(millis: attempt.startedAt + $0) },
                outcome: attempt.outcome, error: attempt.error)
        }
        return .ok(.init(body: .json(.init(value1: email.wire, value2: .init(attemptLog: attempts)))))
    }

    /// The firm whose e-mail the caller may read; nil for a service (every firm).
    static func emailViewer() throws -> String? {
        let caller = try RequestScope.requireCaller()
        if caller.kind == .service { return nil }
        guard caller.isFirmAdmin, caller.portalView == nil, let firm = caller.firmID else {
            throw NotifyError.notAllowed("Only the firm's owners and admins see its outgoing e-mail.")
        }
        return firm
    }
}
