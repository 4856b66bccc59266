public import AccountAPI
public import Foundation
import OpenAPIRuntime

/// Where a service asks who may see an account and what a firm's settings are.
public protocol AccountDirectory: Sendable {
    /// The account's grant, or nil when no such account exists.
    func grant(for accountID: String) async throws -> AccountGrant?
    /// The firm's settings.
    func policy(of firmID: String) async throws -> FirmPolicy
}

/// The directory as ChatService, PipelineService, NotifyService and DocService see it: the
/// local cache first, AccountService (with a service token) only on a miss.
public struct CachedAccountDirectory: AccountDirectory {
    public let cache: DirectoryCache
    let client: AccountAPI.Client

    public init(cache: DirectoryCache, clients: ServiceClients) throws {
        self.cache = cache
        client = AccountAPI.Client(serverURL: try clients.url(of: .account), transport: clients.transport, middlewares: clients.middlewares(for: .account))
    }

    public func grant(for accountID: String) async throws -> AccountGrant? {
        if let grant = cache.grant(accountID) { return grant }
        let output = try await call { try await client.getAccountAccess(path: .init(accountId: accountID)) }
        switch output {
        case .ok(let ok):
            let grant = AccountGrant(try ok.body.json)
            cache.store(grant)
            return cache.grant(accountID) ?? grant
        case .default(statusCode: 404, _):
            return nil
        case .default(let status, _):
            throw RuntimeError.unavailable("AccountService answered \(status) when asked about account access.")
        }
    }

    public func policy(of firmID: String) async throws -> FirmPolicy {
        if let policy = cache.policy(firmID) { return policy }
        let output = try await call { try await client.getFirm(path: .init(firmId: firmID)) }
        switch output {
        case .ok(let ok):
            let firm = try ok.body.json
            let policy = FirmPolicy(firmID: firm.id, settings: firm.settings, changedAt: firm.settingsUpdatedAt)
            cache.store(policy)
            return cache.policy(firmID) ?? policy
        case .default(let status, _):
            throw RuntimeError.unavailable("AccountService answered \(status) when asked for firm settings.")
        }
    }

    private func call<Output>(_ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch {
            throw RuntimeError.unavailable("AccountService cannot be reached to check access; try again shortly.")
        }
    }
}

extension AccountGrant {
    /// From AccountService's wire form (also the `account.access_updated` payload).
    public init(_ access: AccountAPI.Components.Schemas.AccountAccess) {
        self.init(accountID: access.accountId, firmID: access.firmId, version: access.version,
                  memberIDs: Set(access.assignedMemberIds), contactIDs: Set(access.contactIds))
    }
}

extension FirmPolicy {
    public init(firmID: String, settings: AccountAPI.Components.Schemas.FirmSettings, changedAt: Date) {
        self.init(firmID: firmID, clientsMayStartChats: settings.clientsMayStartChats,
                  showContentInEmails: settings.showContentInEmails, reminderDays: settings.reminderDays,
                  reminderCount: settings.reminderCount, changedAt: changedAt)
    }
}

extension AccountDirectory {
    /// The account's grant when `caller` may see the account; nil when it does not exist or is hidden from them.
    public func grant(for accountID: String, visibleTo caller: Caller) async throws -> AccountGrant? {
        guard let grant = try await grant(for: accountID), caller.canSee(grant) else { return nil }
        return grant
    }

    /// Whether `caller` may see the data of account `accountID`, which belongs to `firmID`.
    /// Firm-wide roles need no lookup; everyone else is checked against the account's grant.
    public func allows(_ caller: Caller, account accountID: String, firm firmID: String) async throws -> Bool {
        if caller.seesEveryAccount(of: firmID) { return true }
        guard caller.firmID == firmID, let grant = try await grant(for: accountID), grant.firmID == firmID else { return false }
        return caller.canSee(grant)
    }
}
