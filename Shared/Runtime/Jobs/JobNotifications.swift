import Logging

extension JobNotifications {
    /// Wakes `signal` whenever another replica (or this one) commits a job on this schema (see
    /// `Database.listen`), until the task is cancelled. Nothing to do on SQLite, where only this process writes.
    static func listen(_ database: Database, signal: OutboxSignal, logger: Logger) async {
        await database.listen(channelPrefix: channelPrefix, logger: logger) { signal.notify() }
    }
}
