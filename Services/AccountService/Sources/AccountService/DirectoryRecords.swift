/// Rows of AccountService's tables. Flags are stored as 0/1 integers, the same on both engines.
struct FirmRecord: Codable, Sendable {
    var id: String
    var name: String
    var createdAt: Int64
    var clientsMayStartChats: Int64 = 1
    var showContentInEmails: Int64 = 0
    var reminderDays: Int64 = 3
    var reminderCount: Int64 = 1
    var settingsUpdatedAt: Int64 = 0
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
    /// Empty until an invited member sets a password.
    var passwordHash: String
    var failedLogins: Int64
    var lockedUntil: Int64?
    var createdAt: Int64
    /// `invited`, `active` or `deactivated`.
    var status: String
    var updatedAt: Int64
    /// Grows with every change of role, rights or status; tokens issued with a smaller one are refused.
    var standing: Int64
}

struct AccountRecord: Codable, Sendable {
    var id: String
    var firmId: String
    var name: String
    var kind: String
    var createdAt: Int64
    /// The lower-cased name that search matches.
    var searchKey: String
    /// Grows with every change of who may see the account.
    var accessVersion: Int64
}

/// A client user of a firm; linked to one or more accounts through `AccountContactRecord`.
struct ContactRecord: Codable, Sendable {
    var id: String
    var firmId: String
    var email: String
    var firstName: String
    var lastName: String
    var passwordHash: String?
    var activatedAt: Int64?
    var failedLogins: Int64
    var lockedUntil: Int64?
    var createdAt: Int64
}

/// A contact's place on one account.
struct AccountContactRecord: Codable, Sendable {
    var accountId: String
    var contactId: String
    var portalAccess: Int64
    var notify: Int64
    var createdAt: Int64
}

struct RefreshSessionRecord: Codable, Sendable {
    var tokenHash: String
    /// `member` or `contact`.
    var subjectKind: String
    var subjectId: String
    var expiresAt: Int64
    var usedAt: Int64?
}

struct InvitationRecord: Codable, Sendable {
    /// `inv_…`; nil only for invitations made before ids existed (their e-mails were already sent).
    var id: String?
    var tokenHash: String
    var firmId: String
    var subjectKind: String
    var subjectId: String
    var expiresAt: Int64
    var usedAt: Int64?
}

struct ActivityRecord: Codable, Sendable {
    var id: String
    var firmId: String
    var actorId: String
    var actorName: String
    var action: String
    var summary: String
    var at: Int64
}
