import AccountService
import AtriumRuntime
import ChatService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// ChatService in process, for the chat template tests: JSON requests as any caller of firm_test,
/// another firm or a service.
struct TemplateChat: Sendable {
    let client: any TestClientProtocol
    let owner: String

    /// Runs `body` against a fresh ChatService on `engine`.
    static func with(_ engine: TestEngine, _ body: @escaping @Sendable (TemplateChat) async throws -> Void) async throws {
        try await TestStorage.with(engine) { storage in
            let app = try await ChatService.buildApplication(try TestConfiguration.make(.chat, storage: storage), directory: FixedDirectory())
            let owner = try await TestConfiguration.memberToken()
            try await app.test(.router) { client in try await body(TemplateChat(client: client, owner: owner)) }
        }
    }

    /// Sends `body` as JSON with `token` (the owner's by default; "" for none).
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, as token: String? = nil)
        async throws -> (status: HTTPResponse.Status, json: [String: Any])
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        let token = token ?? owner
        if !token.isEmpty { headers[.authorization] = token }
        return try await client.execute(uri: uri, method: method, headers: headers, body: try body.map(JSON.buffer)) { ($0.status, $0.json) }
    }

    /// Creates a template as the owner (extra fields in `more`) and returns its id.
    @discardableResult
    func template(_ name: String, subject: String = "Year-end documents", body: String = "Dear [CONTACT_FIRST_NAME], please send them.",
                  _ more: [String: Any] = [:]) async throws -> String {
        let (status, json) = try await send(.post, "/v1/chat-templates", ["name": name, "subject": subject, "body": body].merging(more) { $1 })
        #expect(status == .created, "\(json)")
        return try #require(json["id"] as? String)
    }

    /// Every name the list gives, following `nextCursor` `limit` at a time.
    func names(search: String? = nil, limit: Int = 2, as token: String? = nil) async throws -> [String] {
        var names: [String] = []
        var cursor: String?
        let filter = search.map { "&search=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        repeat {
            let query = "limit=\(limit)\(filter)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let (status, page) = try await send(.get, "/v1/chat-templates?\(query)", as: token)
            #expect(status == .ok, "\(page)")
            let items = page["items"] as? [[String: Any]] ?? []
            #expect(items.count <= limit)
            names += items.compactMap { $0["name"] as? String }
            cursor = page["nextCursor"] as? String
        } while cursor != nil && names.count < 100
        return names
    }

    /// A bearer header for a team member of firm_test.
    static func member(_ id: String, role: Caller.Role) async throws -> String {
        try await TestConfiguration.memberToken(id: id, role: role)
    }

    static func contact(_ id: String) async throws -> String {
        "Bearer " + (try await TestConfiguration.signer().issue(for: Caller(kind: .contact, subject: id, firmID: "firm_test")))
    }
}
