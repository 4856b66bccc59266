import AtriumRuntime

/// The rate limits in front of the password routes (SPEC: sign-in must not be a way to starve the
/// machine or to learn who has an account).
///
/// - per client address: every attempt on a password route spends one;
/// - per e-mail address: every *failed* sign-in spends one, whether or not anyone has that
///   address, so the 429 comes after the same failures for a stranger's address as for a
///   customer's (a per-row lock in the database could only exist for known addresses: an oracle).
struct SignInGuard: Sendable {
    let clients: RateLimiter
    let accounts: RateLimiter

    init(_ limits: SignInLimits, now: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        clients = RateLimiter(burst: limits.clientBurst, refill: limits.clientRefill, now: now)
        accounts = RateLimiter(burst: limits.accountBurst, refill: limits.accountRefill, now: now)
    }

    /// Spends one attempt of the calling client; 429 when it has none left.
    func admitClient(_ address: String? = ClientAddress.current) throws {
        if let seconds = clients.take(address ?? "unknown") { throw AccountError.rateLimited(retryAfterSeconds: seconds) }
    }

    /// 429 when the sign-in identity has no failed attempt left; checked before any hashing.
    func admitAccount(_ identity: String) throws {
        if let seconds = accounts.wait(identity) { throw AccountError.lockedOut(retryAfterSeconds: seconds) }
    }

    func failed(_ identity: String) {
        accounts.take(identity)
    }

    func succeeded(_ identity: String) {
        accounts.reset(identity)
    }
}
