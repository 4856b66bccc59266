import AccountAPI
import AtriumRuntime
import Crypto
import Foundation
import SQLKit

/// Sign-in, token pairs and refresh-token rotation for team members.
struct Sessions: Sendable {
    let database: Database
    let directory: any DirectoryRepository
    let tokens: TokenService
    let hasher: PasswordHasher
    /// A hash of a random password at the deployment's cost, checked for unknown e-mail addresses.
    let dummyHash: String
    let refreshLifetimeMillis: Int64 = 30 * 24 * 3600 * 1000
    /// Failed sign-ins allowed before the account is locked for a while.
    static let freeAttempts: Int64 = 5

    /// Checks the password; counts failures and locks the member out with growing delays.
    func login(email rawEmail: String, password: String) async throws -> Components.Schemas.TokenPair {
        let email = (try? InputValidation.email(rawEmail)) ?? rawEmail.lowercased()
        guard let member = try await directory.member(email: email, on: database.sql) else {
            // Spend the same time as a real check, so response times do not reveal who has an account.
            _ = try await hasher.verify(password, hash: dummyHash)
            throw AccountError.badCredentials
        }
        let now = EpochMillis.now()
        if let lockedUntil = member.lockedUntil, lockedUntil > now {
            throw AccountError.lockedOut(retryAfterSeconds: Int((lockedUntil - now + 999) / 1000))
        }
        guard try await hasher.verify(password, hash: member.passwordHash) else {
            let failures = try await directory.countFailedLogin(member: member.id, on: database.sql)
            if let until = Self.lockout(after: failures, now: now) {
                try await directory.lock(member: member.id, until: until, on: database.sql)
            }
            throw AccountError.badCredentials
        }
        if member.failedLogins > 0 {
            try await directory.recordLogin(member: member.id, failedLogins: 0, lockedUntil: nil, on: database.sql)
        }
        return try await database.transaction { tx in try await issuePair(for: member, on: tx) }
    }

    /// Exchanges a refresh token for a new pair. A token used twice revokes every session of its member.
    func refresh(_ token: String) async throws -> Components.Schemas.TokenPair {
        let hash = Self.digest(token)
        let directory = self.directory
        let outcome: Result<Components.Schemas.TokenPair, AccountError> = try await database.transaction { tx in
            let now = EpochMillis.now()
            guard let record = try await directory.lockRefreshToken(hash: hash, on: tx), record.expiresAt > now else {
                return .failure(.invalidRefreshToken)
            }
            guard record.usedAt == nil else {
                // Reuse means the token leaked: end every session of this member.
                try await directory.revokeRefreshTokens(member: record.memberId, on: tx)
                return .failure(.invalidRefreshToken)
            }
            guard let member = try await directory.member(id: record.memberId, on: tx) else { return .failure(.invalidRefreshToken) }
            try await directory.markRefreshTokenUsed(hash: hash, at: now, on: tx)
            return .success(try await issuePair(for: member, on: tx))
        }
        return try outcome.get()
    }

    /// A new access token and refresh token for `member`; the refresh token is stored only as a hash.
    func issuePair(for member: MemberRecord, on db: any SQLDatabase) async throws -> Components.Schemas.TokenPair {
        let refresh = Self.randomToken()
        try await directory.insertRefreshToken(
            RefreshTokenRecord(tokenHash: Self.digest(refresh), memberId: member.id,
                               expiresAt: EpochMillis.now() + refreshLifetimeMillis, usedAt: nil),
            on: db)
        let access = try await tokens.issue(for: member.caller)
        return .init(accessToken: access, refreshToken: refresh, tokenType: .bearer, expiresIn: Int(tokens.accessTokenLifetime))
    }

    static func lockout(after failures: Int64, now: Int64) -> Int64? {
        guard failures >= freeAttempts else { return nil }
        let seconds: Int64 = min(900, 30 << min(10, failures - freeAttempts))
        return now + seconds * 1000
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomToken() -> String {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension MemberRecord {
    var rightList: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(rights.utf8))) ?? []
    }

    var caller: Caller {
        Caller(kind: .member, subject: id, firmID: firmId, role: Caller.Role(rawValue: role), rights: Set(rightList))
    }
}
