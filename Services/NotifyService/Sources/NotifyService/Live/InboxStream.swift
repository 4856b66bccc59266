import AtriumRuntime
import Foundation
import Hummingbird
import NIOCore
import NotifyAPI
import ServiceLifecycle

/// One open Inbox+ stream: what the client missed since its `Last-Event-ID` (or nothing, on a
/// fresh start), the unread counts, then each new item and each change of the counts as they
/// commit, with heartbeats between. It ends when the client leaves, the server shuts down, or the
/// caller's token lapses.
struct InboxStream: Sendable {
    /// How many missed items a resuming stream replays before it sends `reset` instead.
    static let maxReplay = 1000

    let hub: InboxHub
    let store: InboxStore
    let database: Database
    let owner: InboxStore.Owner
    let heartbeat: Duration
    /// Whether the caller's token still holds (checked at each heartbeat).
    let stillValid: @Sendable () -> Bool
    let resume: Int64?
    /// `once=true`: what was missed and the counts, then the end of the response.
    var once = false

    func run(_ writer: inout any ResponseBodyWriter) async throws {
        if once {
            try await writer.write(ServerSentEvents.opening)
            _ = try await catchUp(&writer)
            try await writer.write(try await counts())
            try await writer.finish(nil)
            return
        }
        let subscription = await hub.subscribe(owner.recipientID)
        do {
            try await withGracefulShutdownHandler {
                try await stream(subscription.signals, subscription.continuation, &writer)
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

    private func stream(
        _ signals: AsyncStream<InboxSignal>, _ continuation: AsyncStream<InboxSignal>.Continuation, _ writer: inout any ResponseBodyWriter
    ) async throws {
        try await writer.write(ServerSentEvents.opening)
        // Subscribed first, read second: whatever commits from here on is signalled.
        var (position, cursor) = try await catchUp(&writer)
        try await writer.write(try await counts())
        let beat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeat)
                if case .terminated = continuation.yield(.tick) { return }
            }
        }
        defer { beat.cancel() }
        for await signal in signals {
            switch signal {
            case .tick:
                guard stillValid() else { throw Ended() }
                try await writer.write(ServerSentEvents.heartbeat)
            case .changed:
                let now = try await store.cursors(of: [owner.recipientID], on: database.sql)[owner.recipientID] ?? 0
                guard now != cursor else { continue }
                try await send(try await store.items(after: position, owner, limit: Self.maxReplay, on: database.sql), &position, &writer)
                position = max(position, now)
                cursor = now
                try await writer.write(try await counts())
            }
        }
    }

    /// Replays what the client missed since `resume` (a `reset` when too much); where the stream
    /// now stands, and the person's counter it read first.
    private func catchUp(_ writer: inout any ResponseBodyWriter) async throws -> (position: Int64, cursor: Int64) {
        let cursor = try await store.cursors(of: [owner.recipientID], on: database.sql)[owner.recipientID] ?? 0
        guard let resume else { return (cursor, cursor) }
        // An id past anything this person's stream has numbered is not one it sent: start afresh.
        guard resume <= cursor else {
            try await writer.write(ServerSentEvents.event(id: nil, name: "reset", data: #"{"reason":"That event id is not one this stream sent: reload the inbox."}"#))
            return (cursor, cursor)
        }
        let missed = try await store.items(after: resume, owner, limit: Self.maxReplay + 1, on: database.sql)
        guard missed.count <= Self.maxReplay else {
            try await writer.write(ServerSentEvents.event(id: nil, name: "reset", data: #"{"reason":"Too much arrived since to replay: reload the inbox."}"#))
            return (cursor, cursor)
        }
        var position = resume
        try await send(missed, &position, &writer)
        return (max(position, cursor), cursor)
    }

    private func send(_ items: [InboxItemRecord], _ position: inout Int64, _ writer: inout any ResponseBodyWriter) async throws {
        for item in items {
            guard let seq = item.seq else { continue }
            try await writer.write(ServerSentEvents.event(id: String(seq), name: "item", data: try Self.json(item.wire)))
            position = max(position, seq)
        }
    }

    private func counts() async throws -> ByteBuffer {
        let byKind = try await store.unreadCounts(owner, on: database.sql)
        let counts = Components.Schemas.InboxCounts(unread: byKind.values.reduce(0, +), byKind: .init(additionalProperties: byKind))
        return ServerSentEvents.event(id: nil, name: "counts", data: try Self.json(counts))
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The stream stops here, normally.
    private struct Ended: Error {}
}
