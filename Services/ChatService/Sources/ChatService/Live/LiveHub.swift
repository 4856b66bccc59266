import AtriumRuntime
import Logging

/// One reader of the live-updates log per process, fanning out in memory: each wake-up reads the
/// new rows once and hands each to every open stream whose filter admits it, so a thousand open
/// streams cost one query per change, not a thousand.
///
/// Woken in this process by the transactions that append (SQLite), by PostgreSQL's `NOTIFY` at
/// the commit of any replica's (this one's included), and by a slow safety poll. It runs only
/// while a stream is open: the first one starts it at the log's head, the last one stops it.
actor LiveHub {
    /// Updates a stream may fall behind by before it is closed; its client reconnects with its
    /// `Last-Event-ID` and catches up from the log.
    static let backlog = 1024
    /// How soon to look again when committed rows wait on an older transaction still running.
    static let pendingRetry: Duration = .milliseconds(20)

    private let log: LiveLog
    private let pollEvery: Duration
    private let logger: Logger
    private let signal = LiveSignal()
    private var subscribers: [Int: Subscriber] = [:]
    /// Subscriber ids by firm: a row is offered to its firm's streams alone.
    private var byFirm: [String: Set<Int>] = [:]
    private var nextID = 0
    /// How far reading has got; nil while the hub is stopped.
    private var cursor: LivePosition?
    /// Counts starts and stops, so that a reader of an earlier start hands out nothing.
    private var generation = 0
    private var tasks: [Task<Void, Never>] = []
    private var starting: Task<Void, any Error>?

    init(log: LiveLog, pollEvery: Duration, logger: Logger) {
        self.log = log
        self.pollEvery = pollEvery
        self.logger = logger
    }

    /// Something may have been written: read the log now.
    nonisolated func wake() {
        signal.wake()
    }

    /// A new stream, handed every row committed from now on that `filter` admits.
    func subscribe(_ filter: LiveFilter) async throws -> LiveSubscription {
        while cursor == nil { try await start() }
        nextID += 1
        let (deliveries, continuation) = AsyncStream.makeStream(of: LiveDelivery.self, bufferingPolicy: .bufferingOldest(Self.backlog))
        subscribers[nextID] = Subscriber(filter: filter, continuation: continuation)
        byFirm[filter.firmID, default: []].insert(nextID)
        return LiveSubscription(id: nextID, deliveries: deliveries, continuation: continuation)
    }

    /// Replaces a stream's filter (a list whose accounts changed); its firm stays.
    func update(_ id: Int, filter: LiveFilter) {
        guard subscribers[id]?.filter.firmID == filter.firmID else { return }
        subscribers[id]?.filter = filter
    }

    /// The stream is gone; the last one stops the hub.
    func unsubscribe(_ id: Int) {
        remove(id)
        if subscribers.isEmpty, cursor != nil { stop() }
    }

    private func remove(_ id: Int) {
        guard let subscriber = subscribers.removeValue(forKey: id) else { return }
        subscriber.continuation.finish()
        let firm = subscriber.filter.firmID
        byFirm[firm]?.remove(id)
        if byFirm[firm]?.isEmpty == true { byFirm[firm] = nil }
    }

    /// Starts reading at the log's head; concurrent first streams share one start.
    private func start() async throws {
        let task = starting ?? Task {
            let head = try await self.log.head()
            self.begin(at: head)
        }
        starting = task
        do {
            try await task.value
        } catch {
            if starting == task { starting = nil }
            throw error
        }
    }

    private func begin(at head: LivePosition) {
        starting = nil
        generation += 1
        cursor = head
        let (generation, opened, pollEvery) = (self.generation, signal.open(), self.pollEvery)
        let (log, signal, logger) = (self.log, self.signal, self.logger)
        tasks = [
            Task { [weak self] in
                var waiter = opened.waiter()
                var pending = false
                while await waiter.wait(timeout: pending ? Self.pendingRetry : pollEvery) {
                    guard let hub = self else { return }
                    pending = await hub.poll(generation)
                }
            },
            Task { await log.database.listen(channelPrefix: LiveLog.channelPrefix, logger: logger) { signal.wake() } },
        ]
    }

    private func stop() {
        generation += 1
        cursor = nil
        for task in tasks { task.cancel() }
        tasks = []
        signal.close()
    }

    /// Reads what was committed since the cursor and hands it out; true when rows wait on an
    /// older transaction (look again soon).
    private func poll(_ generation: Int) async -> Bool {
        while generation == self.generation, let from = cursor {
            let page: LivePage
            do {
                page = try await log.page(after: from, afterWriters: true)
            } catch {
                logger.warning("live updates: reading the log failed", metadata: ["error": "\(error)"])
                return false
            }
            guard generation == self.generation else { return false }
            dispatch(page.rows)
            if let last = page.rows.last { cursor = last.position }
            if page.pending || !page.full { return page.pending }
        }
        return false
    }

    private func dispatch(_ rows: [LiveRow]) {
        var overflowed: [Int] = []
        for row in rows {
            for id in byFirm[row.update.firmID] ?? [] {
                guard let subscriber = subscribers[id], subscriber.filter.admits(row.update) else { continue }
                if case .dropped = subscriber.continuation.yield(.row(row)) { overflowed.append(id) }
            }
        }
        for id in overflowed { remove(id) }
    }

    private struct Subscriber {
        var filter: LiveFilter
        let continuation: AsyncStream<LiveDelivery>.Continuation
    }
}

/// What a stream is handed: a row of the log, or the beat of its heartbeat timer.
enum LiveDelivery: Sendable {
    case row(LiveRow)
    case tick
}

/// One open stream's place at the hub.
struct LiveSubscription: Sendable {
    let id: Int
    let deliveries: AsyncStream<LiveDelivery>
    /// Where the stream's own heartbeat timer beats, and what ends it (`finish()`).
    let continuation: AsyncStream<LiveDelivery>.Continuation
}
