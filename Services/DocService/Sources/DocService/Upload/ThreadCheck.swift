import AtriumRuntime
import ChatAPI
import OpenAPIRuntime

/// Whether a chat thread belongs to an account, for an upload that names the thread. A protocol
/// because the in-process tests answer from memory.
protocol ThreadCheck: Sendable {
    /// True when ChatService has thread `threadID` and it belongs to `accountID`.
    func thread(_ threadID: String, belongsTo accountID: String) async throws -> Bool
}

/// `ThreadCheck` answered by ChatService with DocService's service token. Anyone who may upload
/// into an account sees all its threads, so the thread's account is the whole question.
struct ChatServiceThreadCheck: ThreadCheck {
    let client: ChatAPI.Client

    init(clients: ServiceClients) throws {
        client = ChatAPI.Client(serverURL: try clients.url(of: .chat), transport: clients.transport, middlewares: clients.middlewares(for: .chat))
    }

    func thread(_ threadID: String, belongsTo accountID: String) async throws -> Bool {
        let output: Operations.GetThread.Output
        do {
            output = try await client.getThread(path: .init(threadId: threadID))
        } catch {
            throw RuntimeError.unavailable("ChatService cannot be reached to check the upload's thread; try again shortly.")
        }
        switch output {
        case .ok(let ok): return try ok.body.json.accountId == accountID
        case .default(statusCode: 404, _): return false
        case .default(let status, _): throw RuntimeError.unavailable("ChatService answered \(status) when asked about a thread.")
        }
    }
}
