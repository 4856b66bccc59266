/// Who may hear about one account at the moment of an event, from AccountService's recipients
/// lookup: contacts with notify on and portal access, the assigned team, and the team members the
/// event named (starter, mentions, actor) who may still see the account.
struct Audience: Sendable, Hashable {
    var accountName: String
    var firmName: String
    /// The firm's "show message content in client e-mails" setting.
    var showContentInEmails: Bool
    var contacts: [Person]
    var assigned: [Person]
    var members: [Person]

    /// A team member named by the event, if they may see the account now.
    func member(_ id: String) -> Person? {
        members.first { $0.id == id } ?? assigned.first { $0.id == id }
    }

    /// Contacts with notify on, among `ids` (a thread's recipients).
    func contacts(among ids: [String]) -> [Person] {
        contacts.filter { ids.contains($0.id) }
    }

    /// A display name for whoever acted: the directory's name when known.
    func name(of id: String, kind: String) -> String {
        if let person = member(id) ?? contacts.first(where: { $0.id == id }) { return person.name }
        switch kind {
        case "contact": return "Your client"
        case "service": return firmName
        default: return "A team member"
        }
    }
}
