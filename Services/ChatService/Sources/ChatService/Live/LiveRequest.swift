import HTTPTypes
import Hummingbird

/// What a stream request asks for beyond its path: where to resume, whether to close after the
/// catch-up, and (lists) which account.
struct LiveRequest: Sendable {
    var resume: LivePosition?
    var once = false
    var accountID: String?

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        let header = HTTPField.Name("Last-Event-ID").flatMap { request.headers[$0] }
        if let text = header ?? query.get("lastEventId"), !text.isEmpty {
            guard text.utf8.count <= 60, let position = LivePosition(eventID: text) else {
                throw ChatError.invalid("Last-Event-ID is not the id of an event this stream sent.")
            }
            resume = position
        }
        switch query.get("once") ?? "false" {
        case "false": once = false
        case "true": once = true
        default: throw ChatError.invalid("once must be true or false.")
        }
        if let account = query.get("accountId") {
            guard !account.isEmpty, account.count <= 100 else { throw ChatError.invalid("accountId must be 1 to 100 characters.") }
            accountID = account
        }
    }
}
