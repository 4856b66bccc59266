import AtriumRuntime
import Foundation
import SQLKit

/// Whether a stream's caller may still get what it shows: access can be taken away (or, for a
/// list of assigned accounts, given) while the stream is open.
struct LiveAccess: Sendable {
    let caller: Caller
    let directory: any AccountDirectory
    /// The runtime's refusal of tokens issued before a member's role, rights or status changed.
    let refusal: @Sendable (Caller) -> String?
    /// A list stream of assigned accounts reads them again now and then; nil for other streams.
    let accounts: (@Sendable () async throws -> Set<String>)?

    enum Verdict {
        case deliver, skip, end
    }

    /// Whether `update`, which the stream's filter admits, goes out. A thread the caller may no
    /// longer see ends its stream; an account leaves a list quietly. When access cannot be
    /// checked the stream ends: its client reconnects and catches up from the log.
    func verdict(_ update: LiveUpdate, in scope: LiveFilter.Scope) async -> Verdict {
        guard stillValid else { return .end }
        guard let allowed = try? await directory.allows(caller, account: update.accountID, firm: update.firmID) else { return .end }
        if allowed { return .deliver }
        if case .thread = scope { return .end }
        return .skip
    }

    /// The token has not expired nor been refused since the stream opened.
    var stillValid: Bool { refusal(caller) == nil && caller.expiresAt.map { $0 > Date() } ?? true }
}

extension AccountReplica {
    /// The accounts `personID` is assigned to (a member) or a portal contact of.
    static func accountIDs(of personID: String, on db: any SQLDatabase) async throws -> Set<String> {
        let rows = try await db.select().column("account_id").from("account_people").where("person_id", .equal, SQLBind(personID)).all()
        return Set(try rows.map { try $0.decode(column: "account_id", as: String.self) })
    }
}
