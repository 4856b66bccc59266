import NIOCore

/// The `text/event-stream` wire format: `id:`, `event:` and `data:` lines, `:` comment lines,
/// each block ended by a blank line.
enum ServerSentEvent {
    /// How long a client waits before reconnecting, sent first.
    static let retryMillis = 2000

    /// The first bytes of a stream: the reconnection delay, and a comment saying it is subscribed.
    static var opening: ByteBuffer {
        ByteBuffer(string: "retry: \(retryMillis)\n: connected\n\n")
    }

    static func event(id: String?, name: String, data: String) -> ByteBuffer {
        var text = id.map { "id: \($0)\n" } ?? ""
        text += "event: \(name)\n"
        // One-line JSON in practice; a line break would need a `data:` line of its own.
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        return ByteBuffer(string: text + "\n")
    }

    static func update(_ row: LiveRow) -> ByteBuffer {
        event(id: row.position.eventID, name: row.update.event, data: row.update.data)
    }

    /// `reset`: what the client missed is no longer all there; reload, then carry on.
    static func reset(_ reason: String) -> ByteBuffer {
        let data = (try? LiveUpdate.json(["reason": reason])) ?? "{}"
        return event(id: nil, name: "reset", data: data)
    }

    static let heartbeat = ByteBuffer(string: ": keep-alive\n\n")
}
