import AtriumRuntime
import SQLKit

/// Who a password or session belongs to.
enum SubjectKind: String, Sendable {
    case member
    case contact
}

/// Storage of what proves who someone is: refresh sessions and invitations.
protocol CredentialRepository: Sendable {
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
