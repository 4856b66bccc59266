import Foundation
public import Hummingbird
public import Logging
import Metrics
public import Prometheus

/// The body of every service's `@main`: read configuration, set up logging and metrics, build, run.
///
/// Runs until SIGTERM or SIGINT, then shuts down gracefully; exits non-zero on a bad configuration
/// or a failed start, with the reason in the log.
public enum ServiceMain {
    public static func run<App: ApplicationProtocol>(
        _ service: ServiceName,
        build: @Sendable (ServiceConfiguration, Logger, PrometheusCollectorRegistry) async throws -> App
    ) async throws {
        LoggingSystem.bootstrap { label in
            // Every line, ours or a library's, loses its credentials before it is written.
            var handler = RedactingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = .info
            return handler
        }
        var logger = Logger(label: service.displayName)
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(service: service, reader: ServiceConfiguration.reader())
        } catch {
            logger.critical("cannot start: \(error)")
            exit(EXIT_FAILURE)
        }
        logger.logLevel = configuration.logLevel
        if ProcessInfo.processInfo.environment["ATRIUM_EXIT_WITH_PARENT"] == "1" { ParentWatch.start(logger: logger) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        do {
            let app = try await build(configuration, logger, registry)
            try await app.runService()
        } catch {
            logger.critical("stopped: \(error)")
            exit(EXIT_FAILURE)
        }
    }
}

/// Ends a service whose launcher is gone (even killed with SIGKILL), so no process is left behind.
enum ParentWatch {
    static func start(logger: Logger) {
        let parent = getppid()
        Task.detached {
            while true {
                try? await Task.sleep(for: .milliseconds(500))
                if getppid() != parent {
                    logger.warning("launcher is gone; shutting down")
                    kill(getpid(), SIGTERM)
                    return
                }
            }
        }
    }
}
