/// Rows of AccountService's tables.
struct FirmRecord: Codable, Sendable {
    var id: String
    var name: String
    var createdAt: Int64
}

struct MemberRecord: Codable, Sendable {
    var id: String
    var firmId: String
    var email: String
    var firstName: String
    var lastName: String
    var role: String
    /// JSON array of rights.
    var rights: String
    var passwordHash: String
    var failedLogins: Int64
    var lockedUntil: Int64?
    var createdAt: Int64
}

struct AccountRecord: Codable, Sendable {
    var id: String
    var firmId: String
    var name: String
    var kind: String
    var createdAt: Int64
}

struct RefreshTokenRecord: Codable, Sendable {
    var tokenHash: String
    var memberId: String
    var expiresAt: Int64
    var usedAt: Int64?
}
