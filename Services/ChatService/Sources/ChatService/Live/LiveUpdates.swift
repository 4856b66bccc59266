import AtriumRuntime
import SQLKit

/// Where live updates are written (`append`, in the transaction of the change they announce) and
/// where the streams get them from (the hub).
struct LiveUpdates: Sendable {
    let log: LiveLog
    let hub: LiveHub

    /// Records `update` on `db`, inside the transaction of the change it announces, and wakes the
    /// readers once it commits: on SQLite the hub reads behind the write lock this transaction
    /// holds, so a wake-up now is seen after the commit; on PostgreSQL the commit's `NOTIFY`
    /// wakes every replica's hub, this one's included.
    func append(_ update: LiveUpdate, on db: any SQLDatabase) async throws {
        try await log.append(update, on: db)
        if log.database.engine == .sqlite { hub.wake() }
    }
}

extension LiveUpdates {
    /// The log in the service's database and a hub reading it, with the service's settings.
    init(_ runtime: ServiceRuntime) throws {
        let log = LiveLog(database: runtime.database)
        self.init(log: log, hub: LiveHub(log: log, pollEvery: try LiveSettings(runtime.configuration).poll, logger: runtime.logger))
    }
}
