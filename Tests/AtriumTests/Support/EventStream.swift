import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A server-sent-events stream read block by block over a real connection, as a browser's
/// `EventSource` would; at most 30 seconds, so a missing event fails the test instead of hanging it.
struct EventStream {
    /// One block of the stream: an event, or a comment (`: keep-alive`).
    struct Block: CustomStringConvertible {
        var id: String?
        var event: String?
        var data: String?
        var comment: String?

        /// `data` as a JSON object.
        var json: [String: Any] { (try? JSON.object(Data((data ?? "{}").utf8))) ?? [:] }

        var description: String { "\(event ?? ": " + (comment ?? ""))\(id.map { " #\($0)" } ?? "") \(data ?? "")" }
    }

    let status: Int
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer = ""

    /// Opens `path` on the live server at `port` as `token` (a whole `Authorization` value). A 200
    /// stream is returned once its opening comment arrived, i.e. once the server delivers whatever
    /// commits from then on.
    static func open(port: Int?, _ path: String, as token: String, lastEventID: String? = nil) async throws -> EventStream {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(try #require(port))\(path)")
        request.headers.add(name: "authorization", value: token)
        if let lastEventID { request.headers.add(name: "last-event-id", value: lastEventID) }
        let response = try await HTTPClient.shared.execute(request, deadline: .now() + .seconds(30))
        var stream = EventStream(status: Int(response.status.code), iterator: response.body.makeAsyncIterator())
        if stream.status == 200 {
            let first = try await stream.nextBlock()
            #expect(first?.comment == "connected", "the stream opens with a comment, got \(String(describing: first))")
        }
        return stream
    }

    /// The next block, comments included; nil at the end of the stream.
    mutating func nextBlock() async throws -> Block? {
        while true {
            if let end = buffer.range(of: "\n\n") {
                let text = String(buffer[..<end.lowerBound])
                buffer.removeSubrange(..<end.upperBound)
                if let block = Self.parse(text) { return block }
                continue
            }
            guard let chunk = try await iterator.next() else { return nil }
            buffer += String(buffer: chunk)
        }
    }

    /// The next event, heartbeats skipped.
    mutating func next() async throws -> Block? {
        while let block = try await nextBlock() {
            if block.event != nil { return block }
        }
        return nil
    }

    /// Every event up to and including the first that `last` accepts.
    mutating func events(through last: (Block) -> Bool) async throws -> [Block] {
        var seen: [Block] = []
        while let event = try await next() {
            seen.append(event)
            if last(event) { return seen }
        }
        Issue.record("the stream ended before the awaited event; got \(seen)")
        return seen
    }

    /// Events up to and including `message.created` for message `id`.
    mutating func events(throughMessage id: String) async throws -> [Block] {
        try await events { $0.event == "message.created" && $0.json["id"] as? String == id }
    }

    /// Every event until the stream ends.
    mutating func rest() async throws -> [Block] {
        var seen: [Block] = []
        while let event = try await next() { seen.append(event) }
        return seen
    }

    /// A block's lines; nil for a block with neither event nor comment (the `retry:` line).
    private static func parse(_ text: String) -> Block? {
        var block = Block()
        for line in text.split(separator: "\n") {
            if line.hasPrefix(":") {
                block.comment = line.dropFirst().trimmingCharacters(in: .whitespaces)
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1)
            let value = parts.count > 1 ? String(parts[1].drop { $0 == " " }) : ""
            switch parts.first {
            case "id": block.id = value
            case "event": block.event = value
            case "data": block.data = (block.data.map { $0 + "\n" } ?? "") + value
            default: break
            }
        }
        return block.event == nil && block.comment == nil ? nil : block
    }
}
