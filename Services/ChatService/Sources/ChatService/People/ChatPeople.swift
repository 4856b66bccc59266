import AtriumRuntime

/// A contact of an account, as ChatService needs to know them: whether messages can reach them.
struct ChatContact: Sendable, Equatable {
    var id: String
    var firstName: String
    var lastName: String
    var portalAccess: Bool
    var activated: Bool

    var fullName: String { [firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ") }
    /// SPEC "People and access": without portal access or an activated account, no chat message reaches them.
    var canReceiveMessages: Bool { portalAccess && activated }
}

/// A team member, as far as @mentions need to know them.
struct ChatMember: Sendable, Equatable {
    var id: String
    var firmID: String
    var firstName: String
    var lastName: String
    var role: Caller.Role
    var rights: Set<String>
    var active: Bool

    /// The member as a caller, to ask whether they may see an account.
    var asCaller: Caller { Caller(kind: .member, subject: id, firmID: firmID, role: role, rights: rights) }
}

/// The people facts ChatService asks AccountService for: an account's contacts and team members.
/// A protocol because the in-process tests answer from memory.
protocol ChatPeople: Sendable {
    /// The account's contacts; nil when there is no such account.
    func contacts(of accountID: String) async throws -> [ChatContact]?
    /// The team member; nil when there is none.
    func member(_ id: String) async throws -> ChatMember?
    /// The names shortcodes fill in: the account's and its firm's.
    func names(account accountID: String, firm firmID: String) async throws -> (account: String, firm: String)
    /// Many accounts in one request (bulk sends): each found one's grant, name and contacts.
    func lookup(_ accountIDs: [String]) async throws -> [String: AccountFacts]
    func firmName(_ firmID: String) async throws -> String
}

/// An account as a bulk send needs it.
struct AccountFacts: Sendable {
    var grant: AccountGrant
    var name: String
    var contacts: [ChatContact]
}
