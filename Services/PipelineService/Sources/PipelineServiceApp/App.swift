import AtriumRuntime
import PipelineService

@main
struct App {
    static func main() async throws {
        try await ServiceMain.run(.pipeline) { configuration, logger, metrics in
            try await buildApplication(configuration, logger: logger, metrics: metrics)
        }
    }
}
