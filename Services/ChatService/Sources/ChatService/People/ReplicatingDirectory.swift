import AtriumRuntime
import Synchronization

/// The directory as ChatService asks it, keeping its access copy (`AccountReplica`) current: a
/// grant newer than the one last recorded for its account is recorded as it passes. So an access
/// change ChatService never heard as an event (one published before it subscribed) still reaches
/// the copy the first time anyone asks about that account.
struct ReplicatingDirectory: AccountDirectory {
    let base: any AccountDirectory
    let replica: AccountReplica
    let database: Database
    /// The version last recorded per account, so a grant seen again costs no write.
    private let recorded = RecordedVersions()

    init(base: any AccountDirectory, replica: AccountReplica, database: Database) {
        self.base = base
        self.replica = replica
        self.database = database
    }

    func grant(for accountID: String) async throws -> AccountGrant? {
        guard let grant = try await base.grant(for: accountID) else { return nil }
        if recorded.isNew(grant) {
            try await database.transaction { [replica] db in try await replica.record(grant, on: db) }
            recorded.store(grant)
        }
        return grant
    }

    func policy(of firmID: String) async throws -> FirmPolicy {
        try await base.policy(of: firmID)
    }
}

/// Versions of grants already recorded, by account.
final class RecordedVersions: Sendable {
    private let versions = Mutex<[String: Int64]>([:])

    func isNew(_ grant: AccountGrant) -> Bool {
        versions.withLock { ($0[grant.accountID] ?? -1) < grant.version }
    }

    func store(_ grant: AccountGrant) {
        versions.withLock { held in held[grant.accountID] = max(held[grant.accountID] ?? -1, grant.version) }
    }
}
