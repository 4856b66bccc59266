import AtriumRuntime
import SQLKit

/// Who a password or session belongs to; each kind lives in its own table.
enum SubjectKind: String, Sendable {
    case member
    case contact

    var table: String { self == .member ? "team_members" : "contacts" }
}

/// Storage of what proves who someone is: failed-login counters, refresh sessions, invitations.
protocol CredentialRepository: Sendable {
    /// Adds one failed sign-in atomically (parallel guesses all count); returns the new count.
    func countFailedLogin(_ kind: SubjectKind, id: String, on db: any SQLDatabase) async throws -> Int64
    func lock(_ kind: SubjectKind, id: String, until millis: Int64, on db: any SQLDatabase) async throws
    func clearFailedLogins(_ kind: SubjectKind, id: String, on db: any SQLDatabase) async throws

    func insertSession(_ session: RefreshSessionRecord, on db: any SQLDatabase) async throws
    /// The session, locked until the transaction ends so its token is used at most once.
    func lockSession(hash: String, on db: any SQLDatabase) async throws -> RefreshSessionRecord?
    func markSessionUsed(hash: String, at millis: Int64, on db: any SQLDatabase) async throws
    func revokeSessions(subject: String, on db: any SQLDatabase) async throws

    func insertInvitation(_ invitation: InvitationRecord, on db: any SQLDatabase) async throws
    func lockInvitation(hash: String, on db: any SQLDatabase) async throws -> InvitationRecord?
    func invitation(id: String, on db: any SQLDatabase) async throws -> InvitationRecord?
    func markInvitationUsed(hash: String, at millis: Int64, on db: any SQLDatabase) async throws
    /// Earlier unused invitations of `subject` stop working when a new one is sent.
    func retireInvitations(subject: String, at millis: Int64, on db: any SQLDatabase) async throws
}

/// The one SQL implementation, for SQLite and PostgreSQL alike.
struct SQLCredentialRepository: CredentialRepository {
    let forUpdate: String

    func countFailedLogin(_ kind: SubjectKind, id: String, on db: any SQLDatabase) async throws -> Int64 {
        let row = try await db.raw("""
            UPDATE \(ident: kind.table) SET failed_logins = failed_logins + 1 WHERE id = \(bind: id) RETURNING failed_logins
            """).first()
        return try row?.decode(column: "failed_logins", as: Int64.self) ?? 0
    }

    func lock(_ kind: SubjectKind, id: String, until millis: Int64, on db: any SQLDatabase) async throws {
        try await db.update(kind.table).set("locked_until", to: SQLBind(millis)).where("id", .equal, SQLBind(id)).run()
    }

    func clearFailedLogins(_ kind: SubjectKind, id: String, on db: any SQLDatabase) async throws {
        try await db.update(kind.table).set("failed_logins", to: SQLBind(Int64(0))).set("locked_until", to: SQLLiteral.null)
            .where("id", .equal, SQLBind(id)).run()
    }

    func insertSession(_ session: RefreshSessionRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "refresh_sessions").model(session, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func lockSession(hash: String, on db: any SQLDatabase) async throws -> RefreshSessionRecord? {
        try await db.row(RefreshSessionRecord.self, from: "refresh_sessions", where: "token_hash", is: hash, lock: forUpdate)
    }

    func markSessionUsed(hash: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.update("refresh_sessions").set("used_at", to: SQLBind(millis)).where("token_hash", .equal, SQLBind(hash)).run()
    }

    func revokeSessions(subject: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "refresh_sessions").where("subject_id", .equal, SQLBind(subject)).run()
    }

    func insertInvitation(_ invitation: InvitationRecord, on db: any SQLDatabase) async throws {
        try await db.insert(into: "invitations").model(invitation, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }

    func lockInvitation(hash: String, on db: any SQLDatabase) async throws -> InvitationRecord? {
        try await db.row(InvitationRecord.self, from: "invitations", where: "token_hash", is: hash, lock: forUpdate)
    }

    func invitation(id: String, on db: any SQLDatabase) async throws -> InvitationRecord? {
        try await db.row(InvitationRecord.self, from: "invitations", is: id)
    }

    func markInvitationUsed(hash: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.update("invitations").set("used_at", to: SQLBind(millis)).where("token_hash", .equal, SQLBind(hash)).run()
    }

    func retireInvitations(subject: String, at millis: Int64, on db: any SQLDatabase) async throws {
        try await db.update("invitations").set("used_at", to: SQLBind(millis))
            .where("subject_id", .equal, SQLBind(subject)).where("used_at", .is, SQLLiteral.null).run()
    }
}
