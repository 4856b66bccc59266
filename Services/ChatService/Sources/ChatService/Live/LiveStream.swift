import AtriumRuntime
import Hummingbird
import NIOCore
import ServiceLifecycle

/// One open event stream: what the client missed since its `Last-Event-ID`, then every update the
/// hub hands it, with heartbeats in between. It ends when the client leaves (noticed at the next
/// write), when the server shuts down, and when the caller may no longer see what it shows.
struct LiveStream: Sendable {
    let log: LiveLog
    let hub: LiveHub
    let filter: LiveFilter
    let access: LiveAccess
    let settings: LiveSettings
    /// The position of the client's last event, if it resumes.
    let resume: LivePosition?

    /// `once=true`: the catch-up alone, then the end of the response.
    func catchUp(_ writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ServerSentEvents.opening)
        do {
            if let resume, case .reset(let why) = try await replay(from: resume, &writer) {
                try await writer.write(ServerSentEvents.reset(why))
            }
        } catch is Ended {}
        try await writer.finish(nil)
    }

    /// The endless stream.
    func live(_ writer: inout any ResponseBodyWriter) async throws {
        let subscription = try await hub.subscribe(filter)
        do {
            try await withGracefulShutdownHandler {
                try await run(subscription, &writer)
            } onGracefulShutdown: {
                subscription.continuation.finish()
            }
        } catch is Ended {
        } catch {
            await hub.unsubscribe(subscription.id)
            throw error
        }
        await hub.unsubscribe(subscription.id)
        try await writer.finish(nil)
    }

    private func run(_ subscription: LiveSubscription, _ writer: inout any ResponseBodyWriter) async throws {
        let already = try await open(&writer)
        let beat = heartbeat(subscription.continuation)
        defer { beat.cancel() }
        var filter = self.filter
        var refreshed = ContinuousClock.now
        for await delivery in subscription.deliveries {
            switch delivery {
            case .tick:
                try await tick(subscription.id, &filter, &refreshed, &writer)
            case .row(let row):
                guard !already.covers(row.position), filter.admits(row.update), try await allowed(row.update) else { continue }
                try await writer.write(ServerSentEvents.update(row))
            }
        }
    }

    /// Opens the stream once subscribed, so that whatever commits after the client sees the first
    /// byte is delivered; then the catch-up. What the hub hands out and was sent already, or had
    /// committed before (a stream without a resume, or after a reset), is left out.
    private func open(_ writer: inout any ResponseBodyWriter) async throws -> Already {
        var already = Already()
        if resume == nil { already.snapshot = try await log.snapshot() }
        try await writer.write(ServerSentEvents.opening)
        guard let resume else { return already }
        switch try await replay(from: resume, &writer) {
        case .upTo(let position):
            already.replayedTo = position
        case .reset(let why):
            // The client reloads: from now on, then.
            already.snapshot = try await log.snapshot()
            try await writer.write(ServerSentEvents.reset(why))
        }
        return already
    }

    /// What the stream leaves out of the hub's rows.
    private struct Already {
        var snapshot: LiveSnapshot?
        var replayedTo: LivePosition?

        func covers(_ position: LivePosition) -> Bool {
            if let replayedTo, position <= replayedTo { return true }
            return snapshot?.saw(position) ?? false
        }
    }

    /// A heartbeat, unless the caller's token was refused since; now and then, a list of assigned
    /// accounts reads them again.
    private func tick(
        _ id: Int, _ filter: inout LiveFilter, _ refreshed: inout ContinuousClock.Instant, _ writer: inout any ResponseBodyWriter
    ) async throws {
        guard access.stillValid else { throw Ended() }
        try await writer.write(ServerSentEvents.heartbeat)
        guard let accounts = access.accounts, refreshed.duration(to: .now) >= settings.accountsRefresh else { return }
        refreshed = .now
        filter.scope = .accounts(try await accounts())
        await hub.update(id, filter: filter)
    }

    /// How a catch-up ended.
    private enum Replay {
        /// Everything missed was sent, up to this row of the log.
        case upTo(LivePosition)
        /// What was missed is no longer all kept, or too much: the client should reload.
        case reset(String)
    }

    /// Writes what the client missed after `position`.
    private func replay(from position: LivePosition, _ writer: inout any ResponseBodyWriter) async throws -> Replay {
        guard try await log.contains(position) else { return .reset("The events after \(position.eventID) are no longer kept.") }
        var at = position
        var sent = 0
        while true {
            let page = try await log.page(after: at, within: filter)
            for row in page.rows {
                at = row.position
                guard filter.admits(row.update), try await allowed(row.update) else { continue }
                sent += 1
                guard sent <= settings.maxReplay else { return .reset("Too much happened since \(position.eventID) to replay.") }
                try await writer.write(ServerSentEvents.update(row))
            }
            // Rows after a pending one come from the hub, which was subscribed before this read.
            if page.pending || !page.full { return .upTo(at) }
        }
    }

    /// Whether `update` goes out; throws `Ended` when the stream must stop.
    private func allowed(_ update: LiveUpdate) async throws -> Bool {
        switch await access.verdict(update, in: filter.scope) {
        case .deliver: return true
        case .skip: return false
        case .end: throw Ended()
        }
    }

    private func heartbeat(_ continuation: AsyncStream<LiveDelivery>.Continuation) -> Task<Void, Never> {
        let every = settings.heartbeat
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if case .terminated = continuation.yield(.tick) { return }
            }
        }
    }

    /// The stream stops here, normally.
    private struct Ended: Error {}
}
