import AccountAPI
import AtriumRuntime
import Crypto
import Foundation
import SQLKit

/// Someone who signs in with a password: a team member or a contact.
struct Credential: Sendable {
    var kind: SubjectKind
    var id: String
    var passwordHash: String?
    var caller: Caller
    /// Why a correct password still does not sign this person in (said only to whoever knows the password).
    var refusal: AccountError?
}

/// Sign-in, token pairs, refresh-token rotation and invitations, for team members and contacts.
struct Sessions: Sendable {
    let database: Database
    let directory: any DirectoryRepository
    let people: any PeopleRepository
    let credentials: any CredentialRepository
    let signer: TokenSigner
    let hasher: PasswordHasher
    /// A hash of a random password at the deployment's cost, checked for unknown e-mail addresses.
    let dummyHash: String
    /// Derives each invitation's token from its id, so the token is never stored or published.
    let invitationKey: SymmetricKey
    let refreshLifetimeMillis: Int64 = 30 * 24 * 3600 * 1000
    let invitationLifetimeMillis: Int64 = 7 * 24 * 3600 * 1000
    /// Rate limits per client address and per e-mail address.
    let limits: SignInGuard

    /// Checks the password of `identity` (how the caller named themselves: see `SignInGuard`).
    /// Unknown, invited (no password yet) and deactivated people fail exactly like a wrong
    /// password: same answer, same hashing time, same count towards the e-mail's limit.
    func login(_ found: Credential?, identity: String, password: String) async throws -> Components.Schemas.TokenPair {
        try limits.admitClient()
        try limits.admitAccount(identity)
        guard let credential = found, let hash = credential.passwordHash, !hash.isEmpty else {
            // Spend the same time as a real check, so response times do not reveal who has an account.
            _ = try await hasher.verify(password, hash: dummyHash)
            limits.failed(identity)
            throw AccountError.badCredentials
        }
        guard try await hasher.verify(password, hash: hash) else {
            limits.failed(identity)
            throw AccountError.badCredentials
        }
        limits.succeeded(identity)
        if let refusal = credential.refusal { throw refusal }
        return try await database.transaction { tx in try await issuePair(for: credential.caller, on: tx) }
    }

    /// A team member by e-mail, if they may sign in.
    func memberCredential(email: String) async throws -> Credential? {
        guard let member = try await directory.member(email: email, on: database.sql), member.status == "active" else { return nil }
        return member.credential
    }

    /// A contact of `firm` by e-mail, if they have activated their account.
    func contactCredential(firm: String, email: String) async throws -> Credential? {
        guard let contact = try await people.contact(firm: firm, email: email, on: database.sql), contact.activatedAt != nil else { return nil }
        var credential = contact.credential
        if try await people.portalAccounts(contact: contact.id, on: database.sql) == 0 {
            credential.refusal = .notAllowed("The firm has not given you portal access to any account.")
        }
        return credential
    }

    /// Exchanges a refresh token for a new pair. A token used twice ends every session of its owner.
    func refresh(_ token: String) async throws -> Components.Schemas.TokenPair {
        let hash = Self.digest(token)
        let outcome: Result<Components.Schemas.TokenPair, AccountError> = try await database.transaction { tx in
            let now = EpochMillis.now()
            guard let session = try await credentials.lockSession(hash: hash, on: tx), session.expiresAt > now else {
                return .failure(.invalidRefreshToken)
            }
            guard session.usedAt == nil else {
                // Reuse means the token leaked: end every session of this person.
                try await credentials.revokeSessions(subject: session.subjectId, on: tx)
                return .failure(.invalidRefreshToken)
            }
            guard let caller = try await currentCaller(session, on: tx) else { return .failure(.invalidRefreshToken) }
            try await credentials.markSessionUsed(hash: hash, at: now, on: tx)
            return .success(try await issuePair(for: caller, on: tx))
        }
        return try outcome.get()
    }

    /// Who the session belongs to as they stand now (role and rights re-read), or nil if they may no longer sign in.
    private func currentCaller(_ session: RefreshSessionRecord, on db: any SQLDatabase) async throws -> Caller? {
        switch SubjectKind(rawValue: session.subjectKind) {
        case .member:
            guard let member = try await directory.member(id: session.subjectId, on: db), member.status == "active" else { return nil }
            return member.caller
        case .contact:
            guard let contact = try await people.contact(id: session.subjectId, on: db), contact.activatedAt != nil,
                try await people.portalAccounts(contact: contact.id, on: db) > 0 else { return nil }
            return contact.caller
        case nil:
            return nil
        }
    }

    /// A new access token and refresh token for `caller`; the refresh token is stored only as a hash.
    func issuePair(for caller: Caller, on db: any SQLDatabase) async throws -> Components.Schemas.TokenPair {
        let refresh = Self.randomToken()
        try await credentials.insertSession(
            RefreshSessionRecord(tokenHash: Self.digest(refresh), subjectKind: caller.kind.rawValue, subjectId: caller.subject,
                                 expiresAt: EpochMillis.now() + refreshLifetimeMillis, usedAt: nil),
            on: db)
        let access = try await signer.issue(for: caller)
        return .init(accessToken: access, refreshToken: refresh, tokenType: .bearer, expiresIn: Int(signer.lifetime))
    }

    /// A fresh invitation for `subject`; earlier ones stop working. Returns its id; the token is
    /// derived from the id when the e-mail is sent (`invitationToken(id:)`) and stored only as a hash.
    func invite(_ kind: SubjectKind, subject: String, firm: String, on db: any SQLDatabase) async throws -> (id: String, expiresAt: Int64) {
        let id = Identifier.make("inv")
        let now = EpochMillis.now()
        try await credentials.retireInvitations(subject: subject, at: now, on: db)
        let expiresAt = now + invitationLifetimeMillis
        try await credentials.insertInvitation(
            InvitationRecord(id: id, tokenHash: Self.digest(invitationToken(id: id)), firmId: firm, subjectKind: kind.rawValue,
                             subjectId: subject, expiresAt: expiresAt, usedAt: nil),
            on: db)
        return (id, expiresAt)
    }

    /// The secret of invitation `id`: an HMAC of the id under AccountService's own key, so it can be
    /// handed to the e-mail sender on request without ever being stored, published or logged.
    func invitationToken(id: String) -> String {
        Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(id.utf8), using: invitationKey)))
    }

    /// The key invitation tokens are derived with, from AccountService's secret.
    static func invitationKey(from secret: String) -> SymmetricKey {
        SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("atrium-invitation-tokens".utf8), using: SymmetricKey(data: Data(secret.utf8))))
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomToken() -> String {
        base64URL(Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }))
    }

    static func base64URL(_ data: Data) -> String {
        SigningKeyText.base64URL(data)
    }
}

extension MemberRecord {
    var rightList: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(rights.utf8))) ?? []
    }

    var caller: Caller {
        Caller(kind: .member, subject: id, firmID: firmId, role: Caller.Role(rawValue: role), rights: Set(rightList), standing: standing)
    }

    var credential: Credential {
        Credential(kind: .member, id: id, passwordHash: passwordHash, caller: caller, refusal: nil)
    }
}

extension ContactRecord {
    var caller: Caller { Caller(kind: .contact, subject: id, firmID: firmId) }

    var credential: Credential {
        Credential(kind: .contact, id: id, passwordHash: passwordHash, caller: caller, refusal: nil)
    }
}
