public import Configuration
public import Foundation
public import JWTKit
public import Logging

/// Everything a service reads from its environment, read in one place.
///
/// Keys are looked up on the command line (`--database-url`), then in the environment with
/// an `ATRIUM_` prefix (`ATRIUM_DATABASE_URL`), then in the defaults. See README.md for the list.
public struct ServiceConfiguration: Sendable {
    public var service: ServiceName
    public var host: String
    public var port: Int
    /// Where SQLite files (one per service) and other local state live.
    public var dataDirectory: String
    /// `postgres://…` for PostgreSQL; nil means SQLite under `dataDirectory`.
    public var databaseURL: String?
    /// The PostgreSQL schema holding this service's tables (default: the service's name).
    public var databaseSchema: String
    /// AccountService's own secret (`account.secret`): the root of service credentials and of
    /// invitation tokens, and of the signing key when `jwt.signing.keys` is unset. Nil elsewhere.
    public var accountSecret: String?
    /// AccountService's Ed25519 signing keys (`jwt.signing.keys`, base64url seeds); the first signs.
    public var signingKeys: String?
    /// This service's credential for obtaining service tokens from AccountService (`service.credential`).
    public var serviceCredential: String?
    /// Public keys to verify tokens with instead of reading AccountService's JWKS (`jwt.verification.keys`).
    public var verificationKeys: [EdDSA.PublicKey]?
    public var accessTokenLifetime: TimeInterval
    public var logLevel: Logger.Level
    /// Base URLs of every service, this one included, as the others reach them.
    public var serviceURLs: [ServiceName: String]
    public var webhookDelivery: WebhookDeliverySettings
    /// The largest request body a route accepts.
    public var maxBodyBytes: Int
    /// Where the settings came from: a service reads the settings only it has from here
    /// (AccountService's sign-in limits), so they do not live in every service's runtime.
    public let reader: ConfigReader
    /// Days a finished job (delivery), its attempts, a delivered outbox row and a consumer's inbox
    /// id are kept before they are pruned (inbox ids longer: see `WebhookRetention`).
    public var retentionDays: Int
    /// `idempotency.lease.seconds`: how long a request holding an `Idempotency-Key` counts as still
    /// running (renewed while it is); a repeat meanwhile is a 409. A request cut off by a crash
    /// frees its key this long after its last renewal.
    public var idempotencyLease: Duration

    /// This service's own base URL.
    public var publicURL: String { serviceURLs[service] ?? "http://\(host):\(port)" }

    /// Reads the configuration of `service` from `reader`.
    public init(service: ServiceName, reader: ConfigReader) throws {
        self.service = service
        self.reader = reader
        host = reader.string(forKey: "host", default: "127.0.0.1")
        port = try Self.integer(reader, "port", default: service.defaultPort, in: 1...65535)
        dataDirectory = reader.string(forKey: "data.dir", default: "data")
        databaseURL = reader.string(forKey: "database.url", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        databaseSchema = reader.string(forKey: "database.schema", default: service.rawValue)
        accessTokenLifetime = TimeInterval(try Self.integer(reader, "jwt.access.ttl.seconds", default: 900, in: 60...86400))
        let level = reader.string(forKey: "log.level", default: "info")
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ConfigurationError.invalid(key: "log.level", why: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        self.logLevel = logLevel
        var urls: [ServiceName: String] = [:]
        for peer in ServiceName.allCases {
            urls[peer] = reader.string(forKey: ConfigKey([peer.rawValue, "url"]), default: "http://127.0.0.1:\(peer.defaultPort)")
        }
        if reader.string(forKey: ConfigKey([service.rawValue, "url"])) == nil {
            urls[service] = "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        }
        serviceURLs = urls
        webhookDelivery = try WebhookDeliverySettings(reader: reader)
        maxBodyBytes = try Self.integer(reader, "http.max.body.bytes", default: 1 << 20, in: 1024...(1 << 30))
        retentionDays = try Self.integer(reader, "retention.days", default: 30, in: 1...3650)
        idempotencyLease = .seconds(try Self.integer(reader, "idempotency.lease.seconds", default: 30, in: 1...3600))
        try readSecrets(reader: reader)
    }

    /// Reads the secrets `service` needs: AccountService its own secret (and signing keys), every
    /// other service its credential. Each gets only what it needs.
    private mutating func readSecrets(reader: ConfigReader) throws {
        let secret = { (key: String) in reader.string(forKey: ConfigKey(key), isSecret: true).flatMap { $0.isEmpty ? nil : $0 } }
        if service == .account {
            guard let root = secret("account.secret") else { throw ConfigurationError.missing(key: "account.secret") }
            guard root.utf8.count >= 32 else { throw ConfigurationError.invalid(key: "account.secret", why: "must be at least 32 bytes long") }
            accountSecret = root
            signingKeys = secret("jwt.signing.keys")
        } else {
            guard let credential = secret("service.credential") else { throw ConfigurationError.missing(key: "service.credential") }
            guard credential.utf8.count >= 32 else {
                throw ConfigurationError.invalid(key: "service.credential", why: "must be at least 32 bytes long")
            }
            serviceCredential = credential
        }
        verificationKeys = try reader.string(forKey: "jwt.verification.keys").flatMap { $0.isEmpty ? nil : try SigningKeyText.publicKeys($0) }
    }

    /// The standard provider chain: command line, then `ATRIUM_*` environment, then defaults.
    public static func reader(
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConfigReader {
        ConfigReader(providers: [
            CommandLineArgumentsProvider(arguments: arguments),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "atrium"),
        ])
    }

    /// A whole number in `range`; a value that does not parse is an error, never a silent default.
    public static func integer(_ reader: ConfigReader, _ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = reader.string(forKey: ConfigKey(key)) else { return value }
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw ConfigurationError.invalid(key: key, why: "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return number
    }

    /// `true` or `false` (also `1`/`0`, `yes`/`no`); anything else is an error.
    public static func flag(_ reader: ConfigReader, _ key: String, default value: Bool) throws -> Bool {
        guard let text = reader.string(forKey: ConfigKey(key)) else { return value }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError.invalid(key: key, why: "must be true or false, not \"\(text)\"")
        }
    }

    /// `database.url` → `ATRIUM_DATABASE_URL`.
    public static func environmentName(of key: String) -> String {
        "ATRIUM_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}

/// How webhook deliveries (jobs of the queue) are retried, and where they may go.
public struct WebhookDeliverySettings: Sendable {
    /// Delay before the first retry; each later retry doubles it (with jitter), up to `maxDelay`.
    public var retryBase: Duration
    public var maxDelay: Duration
    /// Attempts before a delivery is parked as dead.
    public var maxAttempts: Int
    public var requestTimeout: Duration
    /// How many jobs (deliveries among them) are in flight at once.
    public var concurrency: Int
    /// Whether a firm's subscription may target loopback, private, link-local and other internal
    /// addresses (self-hosters whose integrations live on their own network); off by default.
    public var allowPrivateTargets: Bool

    public init(
        retryBase: Duration = .seconds(5), maxDelay: Duration = .seconds(3600), maxAttempts: Int = 12,
        requestTimeout: Duration = .seconds(10), concurrency: Int = 16, allowPrivateTargets: Bool = false
    ) {
        self.retryBase = retryBase
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
        self.requestTimeout = requestTimeout
        self.concurrency = concurrency
        self.allowPrivateTargets = allowPrivateTargets
    }

    init(reader: ConfigReader) throws {
        let integer = { (key: String, value: Int, range: ClosedRange<Int>) in
            try ServiceConfiguration.integer(reader, key, default: value, in: range)
        }
        self.init(
            retryBase: .milliseconds(try integer("webhook.retry.base.ms", 5000, 1...3_600_000)),
            maxDelay: .milliseconds(try integer("webhook.retry.max.ms", 3_600_000, 1...86_400_000)),
            maxAttempts: try integer("webhook.max.attempts", 12, 1...100),
            requestTimeout: .milliseconds(try integer("webhook.timeout.ms", 10_000, 100...300_000)),
            concurrency: try integer("webhook.concurrency", 16, 1...1000),
            allowPrivateTargets: try ServiceConfiguration.flag(reader, "webhook.allow.private.targets", default: false)
        )
    }

    /// The longest one delivery keeps being retried: every attempt timing out after the longest delay.
    var retrySpan: Duration { (maxDelay + requestTimeout) * maxAttempts }
}

extension ServiceConfiguration: CustomStringConvertible {
    /// Secrets are never printed, whoever logs the configuration.
    public var description: String {
        "ServiceConfiguration(service: \(service.rawValue), address: \(host):\(port), dataDirectory: \(dataDirectory), "
            + "database: \(databaseURL == nil ? "sqlite" : "postgres"), logLevel: \(logLevel), secrets: redacted)"
    }
}

extension WebhookDeliverySettings {
    /// Exponential back-off with "equal jitter": half the delay fixed, half random, capped at `maxDelay`.
    public func backoffMillis(afterAttempt attempt: Int) -> Int64 {
        JobRetryPolicy(base: retryBase, maxDelay: maxDelay).backoffMillis(afterAttempt: attempt)
    }
}

extension Duration {
    /// Whole milliseconds.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
