import AccountAPI
import AtriumRuntime
import OpenAPIRuntime

/// `ChatPeople` answered by AccountService, with ChatService's service token.
struct AccountServicePeople: ChatPeople {
    let client: AccountAPI.Client

    init(clients: ServiceClients) throws {
        client = AccountAPI.Client(serverURL: try clients.url(of: .account), transport: clients.transport, middlewares: clients.middlewares(for: .account))
    }

    func contacts(of accountID: String) async throws -> [ChatContact]? {
        switch try await call({ try await client.listContacts(path: .init(accountId: accountID)) }) {
        case .ok(let ok):
            return try ok.body.json.items.map {
                ChatContact(id: $0.id, firstName: $0.firstName, lastName: $0.lastName, portalAccess: $0.portalAccess, activated: $0.activated)
            }
        case .default(statusCode: 404, _):
            return nil
        case .default(let status, _):
            throw RuntimeError.unavailable("AccountService answered \(status) when asked for an account's contacts.")
        }
    }

    func member(_ id: String) async throws -> ChatMember? {
        switch try await call({ try await client.getTeamMember(path: .init(memberId: id)) }) {
        case .ok(let ok):
            let member = try ok.body.json
            return ChatMember(id: member.id, firmID: member.firmId, firstName: member.firstName, lastName: member.lastName,
                              role: Caller.Role(rawValue: member.role.rawValue) ?? .employee,
                              rights: Set(member.rights.map(\.rawValue)), active: member.status != .deactivated)
        case .default(statusCode: 404, _):
            return nil
        case .default(let status, _):
            throw RuntimeError.unavailable("AccountService answered \(status) when asked about a team member.")
        }
    }

    func names(account accountID: String, firm firmID: String) async throws -> (account: String, firm: String) {
        let account = try await call({ try await client.getAccount(path: .init(accountId: accountID)) })
        let firm = try await call({ try await client.getFirm(path: .init(firmId: firmID)) })
        guard case .ok(let accountOK) = account, case .ok(let firmOK) = firm else {
            throw RuntimeError.unavailable("AccountService did not give the account's and firm's names.")
        }
        return (try accountOK.body.json.name, try firmOK.body.json.name)
    }

    func lookup(_ accountIDs: [String]) async throws -> [String: AccountFacts] {
        guard !accountIDs.isEmpty else { return [:] }
        switch try await call({ try await client.lookupAccounts(body: .json(.init(accountIds: accountIDs))) }) {
        case .ok(let ok):
            var facts: [String: AccountFacts] = [:]
            for item in try ok.body.json.items {
                facts[item.account.id] = AccountFacts(
                    grant: AccountGrant(item.access), name: item.account.name,
                    contacts: item.contacts.map {
                        ChatContact(id: $0.id, firstName: $0.firstName, lastName: $0.lastName, portalAccess: $0.portalAccess, activated: $0.activated)
                    })
            }
            return facts
        case .default(let status, _):
            throw RuntimeError.unavailable("AccountService answered \(status) when asked about accounts in bulk.")
        }
    }

    func firmName(_ firmID: String) async throws -> String {
        guard case .ok(let ok) = try await call({ try await client.getFirm(path: .init(firmId: firmID)) }) else {
            throw RuntimeError.unavailable("AccountService did not give the firm's name.")
        }
        return try ok.body.json.name
    }

    private func call<Output>(_ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch {
            throw RuntimeError.unavailable("AccountService cannot be reached; try again shortly.")
        }
    }
}
