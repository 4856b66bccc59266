import AtriumRuntime
@testable import ChatService
import Foundation
import Synchronization

/// Contacts and team members as the in-process ChatService tests know them. Every account of
/// `FixedDirectory` has the same contacts: `con_1` can receive messages, `con_noportal` has no
/// portal access, `con_pending` has not activated their account.
final class FixedPeople: ChatPeople {
    init(empty: Set<String> = []) {
        self.empty = empty
    }

    static let contacts = [
        ChatContact(id: "con_1", firstName: "Carla", lastName: "Client", portalAccess: true, activated: true),
        ChatContact(id: "con_noportal", firstName: "Nora", lastName: "Noportal", portalAccess: false, activated: true),
        ChatContact(id: "con_pending", firstName: "Penny", lastName: "Pending", portalAccess: true, activated: false),
    ]
    static let members = [
        ChatMember(id: "mem_test", firmID: "firm_test", firstName: "Olive", lastName: "Owner", role: .owner, rights: [], active: true),
        ChatMember(id: "mem_asg", firmID: "firm_test", firstName: "Ada", lastName: "Assigned", role: .employee, rights: [], active: true),
        ChatMember(id: "mem_emp", firmID: "firm_test", firstName: "Emil", lastName: "Unassigned", role: .employee, rights: [], active: true),
        ChatMember(id: "mem_all", firmID: "firm_test", firstName: "Vera", lastName: "Viewall", role: .employee,
                   rights: [Rights.viewAllAccounts], active: true),
        ChatMember(id: "mem_gone", firmID: "firm_test", firstName: "Gus", lastName: "Gone", role: .admin, rights: [], active: false),
        ChatMember(id: "mem_x", firmID: "firm_other", firstName: "Xena", lastName: "Elsewhere", role: .owner, rights: [], active: true),
    ]
    /// Accounts with no contact at all.
    let empty: Set<String>
    /// How many bulk lookups were made.
    let lookups = Atomic<Int>(0)

    func contacts(of accountID: String) async throws -> [ChatContact]? {
        guard accountID.hasPrefix("acct_") else { return nil }
        return empty.contains(accountID) ? [] : Self.contacts
    }

    func member(_ id: String) async throws -> ChatMember? { Self.members.first { $0.id == id } }

    func names(account accountID: String, firm firmID: String) async throws -> (account: String, firm: String) {
        ("*Acme* \(accountID)", "Ledger & Co")
    }

    /// The accounts of `ChatWorld.directory`, each with `contacts(of:)`'s contacts; counts its calls.
    func lookup(_ accountIDs: [String]) async throws -> [String: AccountFacts] {
        lookups.add(1, ordering: .relaxed)
        var facts: [String: AccountFacts] = [:]
        for id in accountIDs {
            guard let grant = ChatWorld.directory.grants[id], let contacts = try await contacts(of: id) else { continue }
            facts[id] = AccountFacts(grant: grant, name: "*Acme* \(id)", contacts: contacts)
        }
        return facts
    }

    func firmName(_ firmID: String) async throws -> String { "Ledger & Co" }
}

/// DocService's documents as the in-process tests know them; tests add what they need.
final class FixedCatalog: DocumentCatalog {
    private let documents = Mutex<[String: CatalogDocument]>([:])

    func add(_ id: String, account: String = "acct_1", access: String = "view", uploader: String = "mem_test", uploaderKind: String = "member") {
        let document = CatalogDocument(id: id, accountID: account, name: "\(id).pdf", contentType: "application/pdf", size: 1234,
                                       uploader: Author(id: uploader, kind: uploaderKind), clientAccess: access)
        documents.withLock { $0[id] = document }
    }

    func document(_ id: String) async throws -> CatalogDocument? { documents.withLock { $0[id] } }
}

/// A directory whose grants the test changes while the service runs (as AccountService would,
/// without the event reaching the service).
final class ShiftingDirectory: AccountDirectory {
    private let state: Mutex<FixedDirectory>

    init(_ start: FixedDirectory) {
        state = Mutex(start)
    }

    func assign(_ member: String, to accountID: String) {
        state.withLock { directory in
            directory.grants[accountID]?.memberIDs.insert(member)
            directory.grants[accountID]?.version += 1
        }
    }

    func grant(for accountID: String) async throws -> AccountGrant? { state.withLock { $0.grants[accountID] } }

    func policy(of firmID: String) async throws -> FirmPolicy { try await state.withLock { $0 }.policy(of: firmID) }
}
