public import Configuration
import Foundation

import AtriumRuntime

/// How hard AccountService lets anyone knock: rate limits on the password routes, the bound on
/// concurrent password hashing and the bcrypt cost (README, "Configuration"). AccountService's
/// own settings, read from its configuration's reader.
public struct SignInLimits: Sendable {
    /// bcrypt cost for stored passwords; 12 in production, lower only in tests.
    public var hashCost: Int = 12
    /// Attempts one client address may make at once on the password routes (sign-in, contact
    /// sign-in, sign-up, invitation acceptance)...
    public var clientBurst: Int
    /// ...and how often it earns one more.
    public var clientRefill: Duration
    /// Failed sign-ins one e-mail address may take at once, whether or not anyone has it...
    public var accountBurst: Int
    /// ...and how often it earns one more.
    public var accountRefill: Duration
    /// Password hashes computed at once; the rest wait their turn.
    public var hashConcurrency: Int
    /// Hashes allowed to wait; beyond that the route answers 503 at once.
    public var hashQueue: Int

    public init(clientBurst: Int = 20, clientRefill: Duration = .seconds(3), accountBurst: Int = 5, accountRefill: Duration = .seconds(60),
                hashConcurrency: Int = SignInLimits.defaultHashConcurrency, hashQueue: Int = 32) {
        self.clientBurst = clientBurst
        self.clientRefill = clientRefill
        self.accountBurst = accountBurst
        self.accountRefill = accountRefill
        self.hashConcurrency = hashConcurrency
        self.hashQueue = hashQueue
    }

    /// One core fewer than the machine has (at least one), so hashing never takes every core.
    public static var defaultHashConcurrency: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }

    public init(reader: ConfigReader) throws {
        let integer = { (key: String, value: Int, range: ClosedRange<Int>) in
            try ServiceConfiguration.integer(reader, key, default: value, in: range)
        }
        self.init(
            clientBurst: try integer("signin.client.burst", 20, 1...1_000_000),
            clientRefill: .milliseconds(try integer("signin.client.refill.ms", 3000, 1...3_600_000)),
            accountBurst: try integer("signin.account.burst", 5, 1...1_000_000),
            accountRefill: .milliseconds(try integer("signin.account.refill.ms", 60_000, 1...86_400_000)),
            hashConcurrency: try integer("password.hash.concurrency", Self.defaultHashConcurrency, 1...256),
            hashQueue: try integer("password.hash.queue", 32, 0...100_000)
        )
        hashCost = try integer("password.hash.cost", 12, 4...31)
    }
}
