import AtriumSQLite
import PostgresKit

extension Database {
    /// Whether `error` is a unique-constraint violation on either engine: how the loser of a race
    /// to insert the same key learns it lost, so that it can answer 409 rather than 500.
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == "23505" }
        if let error = error as? SQLiteFailure { return error.isUniqueViolation }
        return false
    }

    /// Runs a write a unique index may refuse: true when it was written, false when the index
    /// refused it. The index, not a read before the write, settles races between writers.
    public static func unlessUniqueViolation(_ write: () async throws -> Void) async throws -> Bool {
        do {
            try await write()
            return true
        } catch where isUniqueViolation(error) {
            return false
        }
    }
}
