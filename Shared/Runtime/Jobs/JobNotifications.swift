import Logging
import NIOPosix
import PostgresKit

extension JobNotifications {
    /// Wakes `signal` whenever another replica (or this one) commits a job on this schema: a
    /// connection of its own `LISTEN`s on the schema's channel, reconnecting after a failure, until
    /// the task is cancelled. Nothing to do on SQLite, where only this process writes.
    static func listen(_ database: Database, signal: OutboxSignal, logger: Logger) async {
        guard let (configuration, schema) = database.postgres else { return }
        let channel = channelPrefix + schema
        var delay: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration,
                    id: 1, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: channel) { notifications in
                    // Whatever was committed while not listening is found by the first look after this.
                    signal.notify()
                    delay = .milliseconds(100)
                    for try await _ in notifications { signal.notify() }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("job notifications: listening failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
}
