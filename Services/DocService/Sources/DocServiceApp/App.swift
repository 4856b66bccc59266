import AtriumRuntime
import DocService

@main
struct App {
    static func main() async throws {
        try await ServiceMain.run(.doc) { configuration, logger, metrics in
            try await buildApplication(configuration, logger: logger, metrics: metrics)
        }
    }
}
