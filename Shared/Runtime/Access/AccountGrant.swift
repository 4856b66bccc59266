public import Foundation

/// Rights an employee can hold, as they appear in tokens and in AccountService's API. Only the
/// right every service checks lives here; each service names the rights it alone acts on.
public enum Rights {
    public static let viewAllAccounts = "view_all_accounts"
}

/// Who may see one account beyond the firm-wide roles: AccountService's answer, replicated.
///
/// `version` grows with every change, so an older copy never replaces a newer one whatever
/// order fetches and events arrive in.
public struct AccountGrant: Sendable, Equatable {
    public var accountID: String
    public var firmID: String
    public var version: Int64
    /// Team members assigned to the account.
    public var memberIDs: Set<String>
    /// Contacts of the account with portal access.
    public var contactIDs: Set<String>

    public init(accountID: String, firmID: String, version: Int64, memberIDs: Set<String>, contactIDs: Set<String>) {
        self.accountID = accountID
        self.firmID = firmID
        self.version = version
        self.memberIDs = memberIDs
        self.contactIDs = contactIDs
    }
}

extension Caller {
    /// Sees every account of `firmID` without looking anything up: services, owners, admins and
    /// employees with "view all accounts".
    public func seesEveryAccount(of firmID: String) -> Bool {
        kind == .service
            || (kind == .member && self.firmID == firmID && (isFirmAdmin || rights.contains(Rights.viewAllAccounts)))
    }

    /// The one rule of SPEC "People and access": who may see an account's threads, jobs and documents.
    public func canSee(_ grant: AccountGrant) -> Bool {
        switch kind {
        case .service: true
        case .member: seesEveryAccount(of: grant.firmID) || (firmID == grant.firmID && grant.memberIDs.contains(subject))
        case .contact:
            firmID == grant.firmID && grant.contactIDs.contains(subject) && portalViewAllows(grant)
        }
    }

    /// A portal view shows one account, and only while the member behind it may see that account too.
    private func portalViewAllows(_ grant: AccountGrant) -> Bool {
        guard let view = portalView else { return true }
        return view.accountID == grant.accountID && view.member(firmID: firmID).canSee(grant)
    }
}

/// The firm settings other services act on, replicated from AccountService.
public struct FirmPolicy: Sendable, Equatable {
    public var firmID: String
    public var clientsMayStartChats: Bool
    public var showContentInEmails: Bool
    public var reminderDays: Int
    public var reminderCount: Int
    /// When the settings last changed; a copy never replaces a newer one.
    public var changedAt: Date

    public init(firmID: String, clientsMayStartChats: Bool, showContentInEmails: Bool, reminderDays: Int, reminderCount: Int, changedAt: Date) {
        self.firmID = firmID
        self.clientsMayStartChats = clientsMayStartChats
        self.showContentInEmails = showContentInEmails
        self.reminderDays = reminderDays
        self.reminderCount = reminderCount
        self.changedAt = changedAt
    }
}

/// What a service knows of a team member's standing, from `account.member_updated`.
public struct MemberStanding: Sendable, Equatable {
    public var active: Bool
    /// Tokens carrying a smaller standing were issued before a change of role, rights or status.
    public var version: Int64

    public init(active: Bool, version: Int64) {
        self.active = active
        self.version = version
    }
}
