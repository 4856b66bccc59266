import AtriumRuntime
import NIOCore

/// ChatService's events on the shared `text/event-stream` format.
extension ServerSentEvents {
    /// A row's event, encoded when the row was read.
    static func update(_ row: LiveRow) -> ByteBuffer {
        row.wire
    }

    /// `reset`: what the client missed is no longer all there; reload, then carry on.
    static func reset(_ reason: String) -> ByteBuffer {
        let data = (try? LiveUpdate.json(["reason": reason])) ?? "{}"
        return event(id: nil, name: "reset", data: data)
    }
}
