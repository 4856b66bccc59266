import Foundation

/// One change that people watching a thread or a thread list see at once (SPEC "Chats": real
/// time). Written in the transaction of the change it announces; streamed as server-sent events.
struct LiveUpdate: Sendable, Equatable {
    /// Who may receive it.
    enum Audience: Sendable, Equatable {
        /// Everyone who may see the thread: the team and the account's contacts.
        case everyone
        /// The team alone (internal notes and what they change).
        case team
        /// One person (their own read state).
        case person(String)
    }

    var threadID: String
    var firmID: String
    var accountID: String
    /// The SSE `event:` name: `message.created`, `tasks.changed`, `thread.status`, `thread.read`, `document.attached`.
    var event: String
    var audience: Audience
    /// The SSE `data:` line: one JSON object.
    var data: String

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
