import AtriumRuntime
import Foundation
import NIOCore

/// One row of the live-updates log, read back: the update and its place in the log, and its
/// server-sent event, encoded once however many streams it goes to.
struct LiveRow: Sendable {
    let position: LivePosition
    let update: LiveUpdate
    let wire: ByteBuffer

    init(position: LivePosition, update: LiveUpdate) {
        self.position = position
        self.update = update
        wire = ServerSentEvents.event(id: position.eventID, name: update.event, data: update.data)
    }
}

/// A `live_updates` row as stored.
struct LiveRecord: Decodable {
    var seq: Int64
    var txid: Int64
    var threadId: String
    var firmId: String
    var accountId: String
    var event: String
    var audience: String
    var personId: String?
    var data: String

    var row: LiveRow {
        let who: LiveUpdate.Audience =
            switch audience {
            case LiveUpdate.Audience.teamKind: .team
            case LiveUpdate.Audience.personKind: .person(personId ?? "")
            default: .everyone
            }
        return LiveRow(
            position: LivePosition(txid: txid, seq: seq),
            update: LiveUpdate(threadID: threadId, firmID: firmId, accountID: accountId, event: event, audience: who, data: data))
    }
}

extension LiveUpdate.Audience {
    static let everyoneKind = "everyone"
    static let teamKind = "team"
    static let personKind = "person"

    /// The `audience` and `person_id` columns.
    var stored: (kind: String, person: String?) {
        switch self {
        case .everyone: (Self.everyoneKind, nil)
        case .team: (Self.teamKind, nil)
        case .person(let id): (Self.personKind, id)
        }
    }
}
