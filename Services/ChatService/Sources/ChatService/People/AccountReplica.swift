import AtriumRuntime
import SQLKit

/// ChatService's copy of who may see each account beyond the firm-wide roles: assigned team
/// members and contacts with portal access. It lets a team member's or contact's thread list
/// across all their accounts be one query, with no call to AccountService per account.
///
/// Written from every grant ChatService obtains (starting a thread records its account's) and
/// from AccountService's `account.access_updated` events; versions make order irrelevant.
struct AccountReplica: Sendable {
    let forUpdate: String

    /// Keeps `grant` unless a newer version is held.
    func record(_ grant: AccountGrant, on db: any SQLDatabase) async throws {
        try await db.insert(into: "account_versions").columns("account_id", "firm_id", "version")
            .values(SQLBind(grant.accountID), SQLBind(grant.firmID), SQLBind(Int64(-1)))
            .ignoringConflicts(with: ["account_id"]).run()
        let held = try await db.raw("""
            SELECT version FROM account_versions WHERE account_id = \(bind: grant.accountID) \(unsafeRaw: forUpdate)
            """).first()?.decode(column: "version", as: Int64.self) ?? -1
        guard held < grant.version else { return }
        try await db.update("account_versions").set("version", to: SQLBind(grant.version))
            .where("account_id", .equal, SQLBind(grant.accountID)).run()
        try await db.delete(from: "account_people").where("account_id", .equal, SQLBind(grant.accountID)).run()
        let people = grant.memberIDs.union(grant.contactIDs).sorted()
        guard !people.isEmpty else { return }
        let insert = db.insert(into: "account_people").columns("account_id", "person_id")
        for person in people { insert.values(SQLBind(grant.accountID), SQLBind(person)) }
        try await insert.run()
    }

    /// A subquery of the accounts `personID` is assigned to (a member) or a portal contact of.
    static func accounts(of personID: String) -> some SQLExpression {
        SQLSubquery.select { $0.column("account_id").from("account_people").where("person_id", .equal, SQLBind(personID)) }
    }
}
