import AtriumRuntime
import Foundation

/// A message about to be posted: checked, rendered, with its attachments looked up.
struct MessageDraft: Sendable {
    var kind: String = MessageKind.message
    var author: Author
    var isInternal: Bool
    var text: String
    var mentions: [String] = []
    var attachments: [CatalogDocument] = []
    var taskUpdate: TaskUpdateRecord?
    /// The request's `Idempotency-Key`, kept with the message.
    var requestKey: String?
    /// Posted as the thread starts (its first message and its task list): told of as one.
    var startsThread = false

    /// The record for position `seq` of `threadID`, rendered now so reads never render.
    func record(id: String, threadID: String, seq: Int64, at millis: Int64) throws -> MessageRecord {
        let rendered = MessageFormat.render(text)
        return MessageRecord(
            id: id, threadId: threadID, seq: seq, kind: kind, authorId: author.id, authorKind: author.kind,
            teamOnly: isInternal ? 1 : 0, text: text, html: rendered.html, plain: rendered.plain,
            mentions: try JSONCoding.string(mentions), embeds: try JSONCoding.string(rendered.embeds),
            taskUpdate: try taskUpdate.map(JSONCoding.string), createdAt: millis, requestKey: requestKey)
    }
}

/// JSON in text columns.
enum JSONCoding {
    static func string(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
