public import Foundation

/// Who is making a request, as the bearer token says.
public struct Caller: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case member
        case contact
        case service
    }

    public enum Role: String, Sendable, Codable, CaseIterable {
        case owner
        case admin
        case employee
    }

    public var kind: Kind
    /// Team member id, contact id, or the calling service's name.
    public var subject: String
    /// The firm a member or contact belongs to; nil for services, which act for every firm.
    public var firmID: String?
    public var role: Role?
    public var rights: Set<String>
    /// When the token was issued (whole seconds); nil for callers not made from a token.
    public var issuedAt: Date?
    /// Set when a team member looks at the portal as this contact sees it (read-only).
    public var portalView: PortalView?
    /// A member's standing when the token was issued (see `MemberStanding`); 0 for everyone else.
    public var standing: Int64
    /// When the token stops being valid; nil for callers not made from a token. Checked once per
    /// request, and by whatever outlives one (an event stream).
    public var expiresAt: Date?

    public init(kind: Kind, subject: String, firmID: String?, role: Role? = nil, rights: Set<String> = [], issuedAt: Date? = nil,
                portalView: PortalView? = nil, standing: Int64 = 0, expiresAt: Date? = nil) {
        self.kind = kind
        self.subject = subject
        self.firmID = firmID
        self.role = role
        self.rights = rights
        self.issuedAt = issuedAt
        self.portalView = portalView
        self.standing = standing
        self.expiresAt = expiresAt
    }

    /// A firm's owner or admin.
    public var isFirmAdmin: Bool { kind == .member && (role == .owner || role == .admin) }

    /// Owners, admins and other Atrium services: who may manage webhooks and other operational resources.
    public var isOperator: Bool { isFirmAdmin || kind == .service }

    /// A 403 unless `allowed`.
    public func require(_ allowed: Bool, _ why: @autoclosure () -> String) throws {
        guard allowed else { throw RuntimeError.forbidden(why()) }
    }
}

extension Caller {
    /// Whether the caller may act on team-side data of `firmID`: one of its team members, or an Atrium service.
    /// Account-level data needs `canSee(_:)` as well.
    public func isTeamSide(of firmID: String) -> Bool {
        kind == .service || (kind == .member && self.firmID == firmID)
    }
}

/// A team member looking at the portal as one contact of one account sees it (SPEC "People and
/// access"): the token names the contact, and this says who is really looking and where.
///
/// Such a caller is read-only everywhere, sees only `accountID`, and only while the member could
/// see that account themselves.
public struct PortalView: Sendable, Equatable, Codable {
    public var memberID: String
    public var accountID: String
    /// The member's role and rights when the view began, so that the member's own access is checked too.
    public var role: Caller.Role
    public var rights: [String]
    /// The member's standing when the view began: a later change of role, rights or status ends it.
    public var standing: Int64

    public init(memberID: String, accountID: String, role: Caller.Role, rights: [String], standing: Int64) {
        self.memberID = memberID
        self.accountID = accountID
        self.role = role
        self.rights = rights
        self.standing = standing
    }

    /// The team member behind the view, as a caller of their own.
    public func member(firmID: String?) -> Caller {
        Caller(kind: .member, subject: memberID, firmID: firmID, role: role, rights: Set(rights))
    }
}
