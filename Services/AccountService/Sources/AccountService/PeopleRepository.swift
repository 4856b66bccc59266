import AtriumRuntime
import SQLKit

/// A contact as linked to one account.
struct LinkedContact: Sendable {
    var contact: ContactRecord
    var link: AccountContactRecord
}

/// Storage of contacts, their links to accounts, and team members' assignments.
protocol PeopleRepository: Sendable {
    func insertContact(_ contact: ContactRecord, on db: any SQLDatabase) async throws
    func contact(id: String, on db: any SQLDatabase) async throws -> ContactRecord?
    func contact(firm: String, email: String, on db: any SQLDatabase) async throws -> ContactRecord?
    func updateContact(_ contact: ContactRecord, on db: any SQLDatabase) async throws
    /// Accounts the contact reaches through the portal.
    func portalAccounts(contact: String, on db: any SQLDatabase) async throws -> Int

    func link(_ link: AccountContactRecord, on db: any SQLDatabase) async throws
    func updateLink(_ link: AccountContactRecord, on db: any SQLDatabase) async throws
    func unlink(account: String, contact: String, on db: any SQLDatabase) async throws
    func linked(account: String, contact: String, on db: any SQLDatabase) async throws -> LinkedContact?
    func linkedContacts(account: String, on db: any SQLDatabase) async throws -> [LinkedContact]

    func assigned(account: String, on db: any SQLDatabase) async throws -> [String]
    func assign(_ members: [String], to account: String, on db: any SQLDatabase) async throws
    func unassign(_ members: [String], from account: String, on db: any SQLDatabase) async throws
}

/// The one SQL implementation, for SQLite and PostgreSQL alike.
struct SQLPeopleRepository: PeopleRepository {
    func insertContact(_ contact: ContactRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "contacts").model(contact, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func contact(id: String, on db: any SQLDatabase) async throws -> ContactRecord? {
        try await db.row(ContactRecord.self, from: "contacts", is: id)
    }

    func contact(firm: String, email: String, on db: any SQLDatabase) async throws -> ContactRecord? {
        try await db.select().column("*").from("contacts").where("firm_id", .equal, SQLBind(firm)).where("email", .equal, SQLBind(email))
            .first(decoding: ContactRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    func updateContact(_ contact: ContactRecord, on db: any SQLDatabase) async throws {
        try await db.update("contacts")
            .set("first_name", to: SQLBind(contact.firstName)).set("last_name", to: SQLBind(contact.lastName))
            .set("password_hash", to: SQLBind(contact.passwordHash)).set("activated_at", to: SQLBind(contact.activatedAt))
            .where("id", .equal, SQLBind(contact.id)).run()
    }

    func portalAccounts(contact: String, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT COUNT(*) AS n FROM account_contacts WHERE contact_id = \(bind: contact) AND portal_access = 1
            """).first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }

    func link(_ link: AccountContactRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "account_contacts").model(link, keyEncodingStrategy: .convertToSnakeCase).run()
    }

    func updateLink(_ link: AccountContactRecord, on db: any SQLDatabase) async throws {
        try await db.update("account_contacts")
            .set("portal_access", to: SQLBind(link.portalAccess)).set("notify", to: SQLBind(link.notify))
            .where("account_id", .equal, SQLBind(link.accountId)).where("contact_id", .equal, SQLBind(link.contactId)).run()
    }

    func unlink(account: String, contact: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "account_contacts")
            .where("account_id", .equal, SQLBind(account)).where("contact_id", .equal, SQLBind(contact)).run()
    }

    func linked(account: String, contact: String, on db: any SQLDatabase) async throws -> LinkedContact? {
        try await linkedContacts(account: account, only: contact, on: db).first
    }

    func linkedContacts(account: String, on db: any SQLDatabase) async throws -> [LinkedContact] {
        try await linkedContacts(account: account, only: nil, on: db)
    }

    private func linkedContacts(account: String, only contact: String?, on db: any SQLDatabase) async throws -> [LinkedContact] {
        var query = db.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("c")))
            .column(SQLColumn("portal_access", table: "l")).column(SQLColumn("notify", table: "l"))
            .column(SQLAlias(SQLColumn("created_at", table: "l"), as: SQLIdentifier("linked_at")))
            .from(SQLAlias(SQLIdentifier("account_contacts"), as: SQLIdentifier("l")))
            .join(SQLAlias(SQLIdentifier("contacts"), as: SQLIdentifier("c")), on: SQLColumn("id", table: "c"), .equal, SQLColumn("contact_id", table: "l"))
            .where(SQLColumn("account_id", table: "l"), .equal, SQLBind(account))
        if let contact { query = query.where(SQLColumn("contact_id", table: "l"), .equal, SQLBind(contact)) }
        return try await query.orderBy(SQLColumn("id", table: "c")).all().map { row in
            let contact = try row.decode(model: ContactRecord.self, keyDecodingStrategy: .snakeCaseColumns)
            return LinkedContact(contact: contact, link: AccountContactRecord(
                accountId: account, contactId: contact.id, portalAccess: try row.decode(column: "portal_access", as: Int64.self),
                notify: try row.decode(column: "notify", as: Int64.self), createdAt: try row.decode(column: "linked_at", as: Int64.self)))
        }
    }

    func assigned(account: String, on db: any SQLDatabase) async throws -> [String] {
        try await db.select().column("member_id").from("account_assignments").where("account_id", .equal, SQLBind(account))
            .orderBy("member_id").all().map { try $0.decode(column: "member_id", as: String.self) }
    }

    func assign(_ members: [String], to account: String, on db: any SQLDatabase) async throws {
        for member in members {
            try await db.raw("""
                INSERT INTO account_assignments (account_id, member_id) VALUES (\(bind: account), \(bind: member))
                ON CONFLICT DO NOTHING
                """).run()
        }
    }

    func unassign(_ members: [String], from account: String, on db: any SQLDatabase) async throws {
        guard !members.isEmpty else { return }
        try await db.delete(from: "account_assignments").where("account_id", .equal, SQLBind(account))
            .where("member_id", .in, SQLBind.group(members)).run()
    }
}
