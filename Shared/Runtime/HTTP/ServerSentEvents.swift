public import NIOCore

/// The `text/event-stream` wire format: `id:`, `event:` and `data:` lines, `:` comment lines,
/// each block ended by a blank line.
public enum ServerSentEvents {
    /// How long a client waits before reconnecting, sent first.
    public static let retryMillis = 2000

    /// The first bytes of a stream: the reconnection delay, and a comment saying it is subscribed.
    public static var opening: ByteBuffer {
        ByteBuffer(string: "retry: \(retryMillis)\n: connected\n\n")
    }

    /// One event; `id` (when given) is what the client sends back as `Last-Event-ID`.
    public static func event(id: String?, name: String, data: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        if let id { buffer.writeString("id: \(id)\n") }
        buffer.writeString("event: \(name)\n")
        // One-line JSON in practice; a line break would need a `data:` line of its own. Split on
        // bytes: a newline byte is never part of a longer UTF-8 sequence.
        for line in data.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            buffer.writeStaticString("data: ")
            buffer.writeBytes(line)
            buffer.writeStaticString("\n")
        }
        buffer.writeStaticString("\n")
        return buffer
    }

    /// A comment line that keeps proxies from closing an idle stream and notices a client that left.
    public static let heartbeat = ByteBuffer(string: ": keep-alive\n\n")
}
