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

    public init(kind: Kind, subject: String, firmID: String?, role: Role? = nil, rights: Set<String> = [], issuedAt: Date? = nil) {
        self.kind = kind
        self.subject = subject
        self.firmID = firmID
        self.role = role
        self.rights = rights
        self.issuedAt = issuedAt
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
