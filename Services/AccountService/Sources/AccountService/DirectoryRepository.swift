import AtriumRuntime
import Foundation
import SQLKit

/// One page of a list ordered by id; `next` is the cursor of the following page, if any.
struct Page<Item: Sendable>: Sendable {
    var items: [Item]
    var next: String?
}

/// Which accounts a listing may show.
enum AccountScope: Sendable {
    case firm
    case assigned(member: String)
    /// A contact's accounts with portal access; `only` narrows a portal view to the account it shows.
    case contact(String, only: String?)
}

/// Storage of firms (with settings and activity), team members and accounts.
protocol DirectoryRepository: Sendable {
    func insertFirm(_ firm: FirmRecord, owner: MemberRecord, on db: any SQLDatabase) async throws
    func firm(id: String, on db: any SQLDatabase) async throws -> FirmRecord?
    /// The firm, locked until the transaction ends: changes to its settings and owners queue behind it.
    func lockFirm(id: String, on db: any SQLDatabase) async throws -> FirmRecord?
    func updateSettings(_ firm: FirmRecord, on db: any SQLDatabase) async throws

    func insertMember(_ member: MemberRecord, on db: any SQLDatabase) async throws
    func member(id: String, on db: any SQLDatabase) async throws -> MemberRecord?
    func member(email: String, on db: any SQLDatabase) async throws -> MemberRecord?
    func members(firm: String, on db: any SQLDatabase) async throws -> [MemberRecord]
    func updateMember(_ member: MemberRecord, on db: any SQLDatabase) async throws
    func activeOwners(firm: String, on db: any SQLDatabase) async throws -> Int

    func insertAccount(_ account: AccountRecord, on db: any SQLDatabase) async throws
    func account(id: String, on db: any SQLDatabase) async throws -> AccountRecord?
    func lockAccount(id: String, on db: any SQLDatabase) async throws -> AccountRecord?
    func updateAccount(_ account: AccountRecord, on db: any SQLDatabase) async throws
    func accounts(firm: String, scope: AccountScope, search: String?, after cursor: String?, limit: Int,
                  on db: any SQLDatabase) async throws -> Page<AccountRecord>

    func insertActivity(_ activity: ActivityRecord, on db: any SQLDatabase) async throws
    /// Newest first.
    func activity(firm: String, before cursor: String?, limit: Int, on db: any SQLDatabase) async throws -> Page<ActivityRecord>
}

/// The one SQL implementation, for SQLite and PostgreSQL alike.
struct SQLDirectoryRepository: DirectoryRepository {
    let forUpdate: String

    func insertFirm(_ firm: FirmRecord, owner: MemberRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "firms").model(firm, keyEncodingStrategy: .convertToSnakeCase).run()
        try await insertMember(owner, on: db)
    }

    func firm(id: String, on db: any SQLDatabase) async throws -> FirmRecord? {
        try await db.row(FirmRecord.self, from: "firms", is: id)
    }

    func lockFirm(id: String, on db: any SQLDatabase) async throws -> FirmRecord? {
        try await db.row(FirmRecord.self, from: "firms", is: id, lock: forUpdate)
    }

    func updateSettings(_ firm: FirmRecord, on db: any SQLDatabase) async throws {
        try await db.update("firms")
            .set("clients_may_start_chats", to: SQLBind(firm.clientsMayStartChats))
            .set("show_content_in_emails", to: SQLBind(firm.showContentInEmails))
            .set("reminder_days", to: SQLBind(firm.reminderDays))
            .set("reminder_count", to: SQLBind(firm.reminderCount))
            .set("settings_updated_at", to: SQLBind(firm.settingsUpdatedAt))
            .where("id", .equal, SQLBind(firm.id)).run()
    }

    func insertMember(_ member: MemberRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "team_members").model(member, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func member(id: String, on db: any SQLDatabase) async throws -> MemberRecord? {
        try await db.row(MemberRecord.self, from: "team_members", is: id)
    }

    func member(email: String, on db: any SQLDatabase) async throws -> MemberRecord? {
        try await db.row(MemberRecord.self, from: "team_members", where: "email", is: email)
    }

    func members(firm: String, on db: any SQLDatabase) async throws -> [MemberRecord] {
        try await db.select().column("*").from("team_members").where("firm_id", .equal, SQLBind(firm)).orderBy("id")
            .all(decoding: MemberRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func updateMember(_ member: MemberRecord, on db: any SQLDatabase) async throws {
        try await db.update("team_members")
            .set("first_name", to: SQLBind(member.firstName)).set("last_name", to: SQLBind(member.lastName))
            .set("role", to: SQLBind(member.role)).set("rights", to: SQLBind(member.rights))
            .set("status", to: SQLBind(member.status)).set("password_hash", to: SQLBind(member.passwordHash))
            .set("updated_at", to: SQLBind(member.updatedAt)).set("standing", to: SQLBind(member.standing))
            .where("id", .equal, SQLBind(member.id)).run()
    }

    func activeOwners(firm: String, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT COUNT(*) AS n FROM team_members WHERE firm_id = \(bind: firm) AND role = 'owner' AND status = 'active'
            """).first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }

    func insertAccount(_ account: AccountRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "accounts").model(account, keyEncodingStrategy: .convertToSnakeCase).run()
    }

    func account(id: String, on db: any SQLDatabase) async throws -> AccountRecord? {
        try await db.row(AccountRecord.self, from: "accounts", is: id)
    }

    func lockAccount(id: String, on db: any SQLDatabase) async throws -> AccountRecord? {
        try await db.row(AccountRecord.self, from: "accounts", is: id, lock: forUpdate)
    }

    func updateAccount(_ account: AccountRecord, on db: any SQLDatabase) async throws {
        try await db.update("accounts")
            .set("name", to: SQLBind(account.name)).set("kind", to: SQLBind(account.kind))
            .set("search_key", to: SQLBind(account.searchKey)).set("access_version", to: SQLBind(account.accessVersion))
            .where("id", .equal, SQLBind(account.id)).run()
    }

    func accounts(firm: String, scope: AccountScope, search: String?, after cursor: String?, limit: Int,
                  on db: any SQLDatabase) async throws -> Page<AccountRecord> {
        var query = db.select().column("*").from("accounts").where("firm_id", .equal, SQLBind(firm))
        if let search, !search.isEmpty {
            query = query.where(SQLQueryString("search_key LIKE \(bind: "%" + Self.escapeLike(search) + "%") ESCAPE '!'"))
        }
        if let cursor { query = query.where("id", .greaterThan, SQLBind(cursor)) }
        switch scope {
        case .firm: break
        case .assigned(let member):
            query = query.where(SQLQueryString("""
                EXISTS (SELECT 1 FROM account_assignments s WHERE s.account_id = accounts.id AND s.member_id = \(bind: member))
                """))
        case .contact(let contact, let only):
            query = query.where(SQLQueryString("""
                EXISTS (SELECT 1 FROM account_contacts c WHERE c.account_id = accounts.id AND c.contact_id = \(bind: contact)
                        AND c.portal_access = 1)
                """))
            if let only { query = query.where("id", .equal, SQLBind(only)) }
        }
        let rows = try await query.orderBy("id").limit(limit + 1)
            .all(decoding: AccountRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        return Page(items: Array(rows.prefix(limit)), next: rows.count > limit ? rows[limit - 1].id : nil)
    }

    func insertActivity(_ activity: ActivityRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "firm_activity").model(activity, keyEncodingStrategy: .convertToSnakeCase).run()
    }

    func activity(firm: String, before cursor: String?, limit: Int, on db: any SQLDatabase) async throws -> Page<ActivityRecord> {
        var query = db.select().column("*").from("firm_activity").where("firm_id", .equal, SQLBind(firm))
        if let cursor { query = query.where("id", .lessThan, SQLBind(cursor)) }
        let rows = try await query.orderBy("id", .descending).limit(limit + 1)
            .all(decoding: ActivityRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        return Page(items: Array(rows.prefix(limit)), next: rows.count > limit ? rows[limit - 1].id : nil)
    }

    /// `%`, `_` and `!` in a search are literal characters, not patterns.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
    }
}
