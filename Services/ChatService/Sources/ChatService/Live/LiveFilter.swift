/// Which updates one stream shows: its thread or the threads of its list, and of those only what
/// its reader may get (SPEC "People and access": contacts never see internal notes).
struct LiveFilter: Sendable, Equatable {
    /// Whose threads.
    enum Scope: Sendable, Equatable {
        /// One thread.
        case thread(String)
        /// Every account of the firm (owners, admins, "view all accounts", services).
        case firm
        /// These accounts of the firm (assigned members, contacts, a portal view, `accountId`).
        case accounts(Set<String>)
    }

    var firmID: String
    var scope: Scope
    /// Who reads: `.person` updates go to their own streams alone.
    var readerID: String
    /// The team's side (members, services): internal notes and what they change.
    var seesTeam: Bool

    func admits(_ update: LiveUpdate) -> Bool {
        guard update.firmID == firmID else { return false }
        switch update.audience {
        case .everyone: break
        case .team: guard seesTeam else { return false }
        case .person(let id): guard id == readerID else { return false }
        }
        switch scope {
        case .thread(let id): return update.threadID == id
        case .firm: return true
        case .accounts(let ids): return ids.contains(update.accountID)
        }
    }
}
