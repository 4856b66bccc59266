import AtriumRuntime
import AccountService

@main
struct App {
    static func main() async throws {
        try await ServiceMain.run(.account) { configuration, logger, metrics in
            try await buildApplication(configuration, logger: logger, metrics: metrics)
        }
    }
}
