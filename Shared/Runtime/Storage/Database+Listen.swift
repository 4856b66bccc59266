public import Logging
import NIOPosix
import PostgresKit

extension Database {
    /// Calls `notified` for every PostgreSQL notification on the channel `channelPrefix` + this
    /// database's schema, and once each time listening (re)starts, since what was committed while
    /// not listening is only found by a look after it. A connection of its own `LISTEN`s,
    /// reconnecting after a failure, until the task is cancelled. Returns at once on SQLite, where
    /// only this process writes.
    ///
    /// Writers notify with `SELECT pg_notify(<prefix> || current_schema(), '')` in their
    /// transaction; PostgreSQL delivers it at commit, to every replica (this one included).
    public func listen(channelPrefix: String, logger: Logger, _ notified: @escaping @Sendable () -> Void) async {
        guard let (configuration, schema) = postgres else { return }
        let channel = channelPrefix + schema
        var delay: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration,
                    id: 1, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: channel) { notifications in
                    notified()
                    delay = .milliseconds(100)
                    for try await _ in notifications { notified() }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("notifications: listening failed; retrying", metadata: ["channel": "\(channel)", "error": "\(error)"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
}
