import AtriumRuntime
import SQLKit

/// Storage of firms, team members, accounts and refresh tokens.
protocol DirectoryRepository: Sendable {
    func insertFirm(_ firm: FirmRecord, owner: MemberRecord, on db: any SQLDatabase) async throws
    func insertMember(_ member: MemberRecord, on db: any SQLDatabase) async throws
    func member(id: String, on db: any SQLDatabase) async throws -> MemberRecord?
    func member(email: String, on db: any SQLDatabase) async throws -> MemberRecord?
    func members(firm: String, on db: any SQLDatabase) async throws -> [MemberRecord]
    func recordLogin(member: String, failedLogins: Int64, lockedUntil: Int64?, on db: any SQLDatabase) async throws
    /// Adds one failed sign-in atomically (parallel guesses all count); returns the new count.
    func countFailedLogin(member: String, on db: any SQLDatabase) async throws -> Int64
    func lock(member: String, until millis: Int64, on db: any SQLDatabase) async throws
    func firm(id: String, on db: any SQLDatabase) async throws -> FirmRecord?
    func insertAccount(_ account: AccountRecord, on db: any SQLDatabase) async throws
    func account(id: String, on db: any SQLDatabase) async throws -> AccountRecord?
    func insertRefreshToken(_ token: RefreshTokenRecord, on db: any SQLDatabase) async throws
    /// The token, locked until the transaction ends so it is used at most once.
    func lockRefreshToken(hash: String, on db: any SQLDatabase) async throws -> RefreshTokenRecord?
    func markRefreshTokenUsed(hash: String, at millis: Int64, on db: any SQLDatabase) async throws
    func revokeRefreshTokens(member: String, on db: any SQLDatabase) async throws
}

/// The one SQL implementation, for SQLite and PostgreSQL alike.
struct SQLDirectoryRepository: DirectoryRepository {
    let forUpdate: String

    func insertFirm(_ firm: FirmRecord, owner: MemberRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "firms").model(firm, keyEncodingStrategy: .convertToSnakeCase).run()
        try await insertMember(owner, on: db)
    }

    func insertMember(_ member: MemberRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "team_members").model(member, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func member(id: String, on db: any SQLDatabase) async throws -> MemberRecord? {
        try await db.select().column("*").from("team_members").where("id", .equal, SQLBind(id))
            .first(decoding: MemberRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func member(email: String, on db: any SQLDatabase) async throws -> MemberRecord? {
        try await db.raw("SELECT * FROM team_members WHERE email = \(bind: email) \(unsafeRaw: forUpdate)")
            .first(decoding: MemberRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func members(firm: String, on db: any SQLDatabase) async throws -> [MemberRecord] {
        try await db.select().column("*").from("team_members").where("firm_id", .equal, SQLBind(firm)).orderBy("id")
            .all(decoding: MemberRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func recordLogin(member: String, failedLogins: Int64, lockedUntil: Int64?, on db: any SQLDatabase) async throws {
        try await db.update("team_members").set("failed_logins", to: SQLBind(failedLogins))
            .set("locked_until", to: SQLBind(lockedUntil)).where("id", .equal, SQLBind(member)).run()
    }

    func countFailedLogin(member: String, on db: any SQLDatabase) async throws -> Int64 {
        let row = try await db.raw("""
            UPDATE team_members SET failed_logins = failed_logins + 1 WHERE id = \(bind: member) RETURNING failed_logins
            """).first()
        return try row?.decode(column: "failed_logins", as: Int64.self) ?? 0
    }

    func lock(member: String, until millis: Int64, on db: any SQLDatabase) async throws {
        try await db.update("team_members").set("locked_until", to: SQLBind(millis)).where("id", .equal, SQLBind(member)).run()
    }

    func firm(id: String, on db: any SQLDatabase) async throws -> FirmRecord? {
        try await db.select().column("*").from("firms").where("id", .equal, SQLBind(id))
            .first(decoding: FirmRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func insertAccount(_ account: AccountRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "accounts").model(account, keyEncodingStrategy: .convertToSnakeCase).run()
    }

    func account(id: String, on db: any SQLDatabase) async throws -> AccountRecord? {
        try await db.select().column("*").from("accounts").where("id", .equal, SQLBind(id))
            .first(decoding: AccountRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func insertRefreshToken(_ token: RefreshTokenRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "refresh_tokens").model(token, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func lockRefreshToken(hash: String, on db: any SQLDatabase) async throws -> RefreshTokenRecord? {
        try await db.raw("SELECT * FROM refresh_tokens WHERE token_hash = \(bind: hash) \(unsafeRaw: forUpdate)")
            .first(decoding: RefreshTokenRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func markRefreshTokenUsed(hash: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.update("refresh_tokens").set("used_at", to: SQLBind(millis)).where("token_hash", .equal, SQLBind(hash)).run()
    }

    func revokeRefreshTokens(member: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "refresh_tokens").where("member_id", .equal, SQLBind(member)).run()
    }
}
