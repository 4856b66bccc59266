import AtriumRuntime
import ChatAPI

extension ChatAPIHandler {
    /// Served by `LiveRoutes`, which streams; never registered.
    func streamThreadEvents(_ input: Operations.StreamThreadEvents.Input) async throws -> Operations.StreamThreadEvents.Output {
        throw RuntimeError.routeNotFound(method: "GET", path: LiveRoutes.threadPath)
    }

    /// Served by `LiveRoutes`, which streams; never registered.
    func streamThreadListEvents(_ input: Operations.StreamThreadListEvents.Input) async throws -> Operations.StreamThreadListEvents.Output {
        throw RuntimeError.routeNotFound(method: "GET", path: LiveRoutes.listPath)
    }
}
