import AtriumRuntime
import NotifyService

@main
struct App {
    static func main() async throws {
        try await ServiceMain.run(.notify) { configuration, logger, metrics in
            try await buildApplication(configuration, logger: logger, metrics: metrics)
        }
    }
}
