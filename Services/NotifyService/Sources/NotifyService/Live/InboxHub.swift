import AtriumRuntime
import Logging

/// What an open inbox stream is told: look again, or it is time for a heartbeat.
enum InboxSignal: Sendable {
    case changed
    case tick
}

/// One watcher of the inbox counters per process: each wake-up reads the counters of the people
/// with an open stream in one query and tells only the streams whose person's counter moved.
///
/// Woken in this process after the transactions that bump counters, by PostgreSQL's `NOTIFY` at
/// the commit of any replica's, and by a slow safety poll. It starts with the first stream.
actor InboxHub {
    static let channelPrefix = "atrium_inbox_"

    private let store: InboxStore
    private let database: Database
    private let poll: Duration
    private let logger: Logger
    private let wakes: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>
    private var streams: [Int: (recipient: String, continuation: AsyncStream<InboxSignal>.Continuation)] = [:]
    private var seen: [String: Int64] = [:]
    private var nextID = 0
    private var tasks: [Task<Void, Never>] = []

    init(store: InboxStore, database: Database, poll: Duration, logger: Logger) {
        self.store = store
        self.database = database
        self.poll = poll
        self.logger = logger
        (wakeups, wakes) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Counters may have moved: look now (wake-ups that come while looking are merged into one).
    nonisolated func wake() {
        wakes.yield()
    }

    /// A stream for `recipient`'s inbox.
    func subscribe(_ recipient: String) -> (id: Int, signals: AsyncStream<InboxSignal>, continuation: AsyncStream<InboxSignal>.Continuation) {
        if tasks.isEmpty { start() }
        nextID += 1
        let (signals, continuation) = AsyncStream.makeStream(of: InboxSignal.self, bufferingPolicy: .bufferingNewest(2))
        streams[nextID] = (recipient, continuation)
        return (nextID, signals, continuation)
    }

    func unsubscribe(_ id: Int) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        stream.continuation.finish()
        if !streams.values.contains(where: { $0.recipient == stream.recipient }) { seen[stream.recipient] = nil }
    }

    private func start() {
        let (wakeups, wakes, poll, database, logger) = (self.wakeups, self.wakes, self.poll, self.database, self.logger)
        tasks = [
            Task { [weak self] in
                for await _ in wakeups {
                    guard let hub = self else { return }
                    await hub.look()
                }
            },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: poll)
                    wakes.yield()
                }
            },
            Task { await database.listen(channelPrefix: Self.channelPrefix, logger: logger) { wakes.yield() } },
        ]
    }

    /// Reads the counters of everyone watched and signals the streams of those whose counter moved.
    private func look() async {
        let recipients = Array(Set(streams.values.map(\.recipient)))
        guard !recipients.isEmpty else { return }
        var cursors: [String: Int64] = [:]
        do {
            for chunk in stride(from: 0, to: recipients.count, by: 500).map({ Array(recipients[$0..<min($0 + 500, recipients.count)]) }) {
                cursors.merge(try await store.cursors(of: chunk, on: database.sql)) { _, new in new }
            }
        } catch {
            logger.warning("inbox streams: reading counters failed", metadata: ["error": "\(error)"])
            return
        }
        let moved = Set(cursors.filter { seen[$0.key] != $0.value }.keys)
        seen.merge(cursors) { _, new in new }
        for stream in streams.values where moved.contains(stream.recipient) { stream.continuation.yield(.changed) }
    }

    deinit {
        for task in tasks { task.cancel() }
    }
}
