import AtriumRuntime
import SQLKit

/// Where live updates are written (and, later, read from by the streams).
struct LiveUpdates: Sendable {
    /// Records `update` on `db`, inside the transaction of the change it announces.
    func append(_ update: LiveUpdate, on db: any SQLDatabase) async throws {
        // Stand-in until the live-updates log lands: nothing is recorded yet.
    }
}
