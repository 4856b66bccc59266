import AtriumRuntime
import ChatService

@main
struct App {
    static func main() async throws {
        try await ServiceMain.run(.chat) { configuration, logger, metrics in
            try await buildApplication(configuration, logger: logger, metrics: metrics)
        }
    }
}
