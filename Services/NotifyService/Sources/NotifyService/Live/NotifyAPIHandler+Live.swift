import AtriumRuntime
import NotifyAPI

extension NotifyAPIHandler {
    /// Served by `InboxRoutes`, which streams; never registered.
    func streamInbox(_ input: Operations.StreamInbox.Input) async throws -> Operations.StreamInbox.Output {
        throw RuntimeError.routeNotFound(method: "GET", path: InboxRoutes.path)
    }
}
