import AtriumRuntime
import Configuration
import Foundation

/// Configurations the tests pass to services, never read from the environment.
enum TestConfiguration {
    static let jwtSecret = "test-secret-0123456789abcdef0123456789abcdef"

    /// Settings that make retries fast and passwords cheap to hash in tests.
    static let fastSettings: [String: String] = [
        "ATRIUM_WEBHOOK_RETRY_BASE_MS": "40",
        "ATRIUM_WEBHOOK_RETRY_MAX_MS": "400",
        "ATRIUM_WEBHOOK_TIMEOUT_MS": "2000",
        "ATRIUM_PASSWORD_HASH_COST": "4",
        "ATRIUM_LOG_LEVEL": "info",
        // The tests' consumers listen on loopback; WebhookSSRFTests turns this off to prove the refusals.
        "ATRIUM_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    ]

    /// The configuration of `service` in `storage`, with `overrides` (environment-style names).
    static func make(
        _ service: ServiceName, storage: TestStorage, ports: [ServiceName: Int] = [:], overrides: [String: String] = [:]
    ) throws -> ServiceConfiguration {
        var environment = topology(storage: storage, ports: ports).environment(for: service)
        environment.merge(overrides) { _, new in new }
        return try ServiceConfiguration(service: service, reader: ServiceConfiguration.reader(arguments: ["test"], environment: environment))
    }

    /// The same topology `atrium up` uses, on the given ports, in `storage`.
    static func topology(storage: TestStorage, ports: [ServiceName: Int] = [:], settings: [String: String] = [:]) -> Topology {
        Topology.local(
            ports: ports, dataDirectory: storage.directory.path, databaseURL: storage.engine.postgresURL,
            schemaPrefix: storage.schemaPrefix, jwtSecret: jwtSecret, sharedSettings: fastSettings.merging(settings) { _, new in new })
    }

    static func tokens() async throws -> TokenService {
        try await TokenService(secret: jwtSecret)
    }

    /// A bearer header for a team member of `firm`.
    static func memberToken(firm: String = "firm_test", id: String = "mem_test", role: Caller.Role = .owner) async throws -> String {
        "Bearer " + (try await tokens().issue(for: Caller(kind: .member, subject: id, firmID: firm, role: role)))
    }

    static func serviceToken(_ name: String = "test-service") async throws -> String {
        "Bearer " + (try await tokens().serviceToken(for: name))
    }
}
