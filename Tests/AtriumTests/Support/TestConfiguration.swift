import AccountService
import AtriumRuntime
import Configuration
import Foundation
import JWTKit

/// Configurations the tests pass to services, never read from the environment.
enum TestConfiguration {
    /// The deployment's root secret in tests: AccountService's own secret, and the root of every
    /// service's credential and of the signing key the tests mint tokens with.
    static let rootSecret = "test-secret-0123456789abcdef0123456789abcdef"

    /// Settings that make retries fast and passwords cheap to hash in tests.
    static let fastSettings: [String: String] = [
        "ATRIUM_WEBHOOK_RETRY_BASE_MS": "40",
        "ATRIUM_WEBHOOK_RETRY_MAX_MS": "400",
        "ATRIUM_WEBHOOK_TIMEOUT_MS": "2000",
        "ATRIUM_PASSWORD_HASH_COST": "4",
        // The suite signs in a lot, all from one address; tests of the limits set their own.
        "ATRIUM_SIGNIN_CLIENT_BURST": "1000000",
        "ATRIUM_SIGNIN_ACCOUNT_BURST": "1000000",
        "ATRIUM_PASSWORD_HASH_QUEUE": "10000",
        "ATRIUM_LOG_LEVEL": "info",
        // The tests' consumers listen on loopback; WebhookSSRFTests turns this off to prove the refusals.
        "ATRIUM_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    ]

    /// The configuration of `service` in `storage`, with `overrides` (environment-style names).
    static func make(
        _ service: ServiceName, storage: TestStorage, ports: [ServiceName: Int] = [:], overrides: [String: String] = [:]
    ) throws -> ServiceConfiguration {
        var environment = topology(storage: storage, ports: ports).environment(for: service)
        // In-process services have no AccountService to read the JWKS from: give them its key.
        environment["ATRIUM_JWT_VERIFICATION_KEYS"] = try verificationKeys()
        environment.merge(overrides) { _, new in new }
        return try ServiceConfiguration(service: service, reader: ServiceConfiguration.reader(arguments: ["test"], environment: environment))
    }

    /// The same topology `atrium up` uses, on the given ports, in `storage`.
    static func topology(storage: TestStorage, ports: [ServiceName: Int] = [:], settings: [String: String] = [:]) -> Topology {
        Topology.local(
            ports: ports, dataDirectory: storage.directory.path, databaseURL: storage.engine.postgresURL,
            schemaPrefix: storage.schemaPrefix, rootSecret: rootSecret, sharedSettings: fastSettings.merging(settings) { _, new in new })
    }

    /// AccountService's signer as the deployment's root secret makes it (tests mint tokens with it).
    static func signer() async throws -> TokenSigner {
        try await TokenSigner(accountSecret: rootSecret)
    }

    /// The public key of `signer()`, as `jwt.verification.keys` takes it.
    static func verificationKeys() throws -> String {
        try TokenSigner.publicKeys(accountSecret: rootSecret).map { SigningKeyText.base64URL($0.rawRepresentation) }.joined(separator: ",")
    }

    /// A verifier as `service` has one, for tests that read a token's claims.
    static func verifier(for service: ServiceName = .chat) async throws -> TokenVerifier {
        await TokenVerifier(audience: service.displayName, source: .keys(try await signer().publicKeys))
    }

    /// A bearer header for a team member of `firm`.
    static func memberToken(firm: String = "firm_test", id: String = "mem_test", role: Caller.Role = .owner) async throws -> String {
        "Bearer " + (try await signer().issue(for: Caller(kind: .member, subject: id, firmID: firm, role: role)))
    }

    /// A bearer header for service `name` calling `audience` (by default: a token every service accepts,
    /// which AccountService never issues but spares the tests naming the service they call).
    static func serviceToken(_ name: String = "test-service", to audience: ServiceName? = nil) async throws -> String {
        let audiences = audience.map { [$0] } ?? ServiceName.allCases
        let claims = AccessClaims(caller: Caller(kind: .service, subject: name, firmID: nil),
                                  audience: audiences.map(\.displayName), now: Date(), lifetime: 900)
        return "Bearer " + (try await signer().sign(claims))
    }

    /// Service tokens for the cluster checks (subscriptions wired), as the launcher gets them.
    static func serviceTokens() -> ServiceTokenCache {
        ServiceTokenCache { audience in
            (String(try await serviceToken("atrium-tests", to: audience).dropFirst(7)), 900)
        }
    }
}
