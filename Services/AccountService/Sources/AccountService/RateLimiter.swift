import Synchronization

/// A token bucket per key: `burst` attempts at once, then one more every `refill`.
///
/// In memory, per process: cheap enough to ask on every attempt, forgotten on restart.
final class RateLimiter: Sendable {
    let burst: Double
    let refillSeconds: Double
    /// Seconds on a monotonic clock; tests pass one they move by hand.
    let now: @Sendable () -> Double
    /// Above this many keys, the idle ones (full buckets) are forgotten.
    let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    init(burst: Int, refill: Duration, maxKeys: Int = 100_000, now: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.burst = Double(burst)
        self.refillSeconds = max(0.001, Double(refill.components.seconds) + Double(refill.components.attoseconds) / 1e18)
        self.maxKeys = maxKeys
        self.now = now
    }

    /// Seconds until `key` has an attempt to spend; nil when it has one now.
    func wait(_ key: String) -> Int? {
        let time = now()
        return buckets.withLock { buckets in
            let bucket = refilled(buckets[key], at: time)
            return bucket.tokens >= 1 ? nil : secondsUntilOne(bucket)
        }
    }

    /// Spends one attempt of `key`; returns the seconds to wait instead when it has none.
    @discardableResult
    func take(_ key: String) -> Int? {
        let time = now()
        return buckets.withLock { buckets in
            var bucket = refilled(buckets[key], at: time)
            guard bucket.tokens >= 1 else { return secondsUntilOne(bucket) }
            bucket.tokens -= 1
            buckets[key] = bucket
            if buckets.count > maxKeys { forgetIdle(&buckets, at: time) }
            return nil
        }
    }

    /// Gives `key` its whole burst again.
    func reset(_ key: String) {
        _ = buckets.withLock { $0.removeValue(forKey: key) }
    }

    private func refilled(_ bucket: Bucket?, at time: Double) -> Bucket {
        guard let bucket else { return Bucket(tokens: burst, updated: time) }
        return Bucket(tokens: min(burst, bucket.tokens + max(0, time - bucket.updated) / refillSeconds), updated: time)
    }

    private func secondsUntilOne(_ bucket: Bucket) -> Int {
        max(1, Int(((1 - bucket.tokens) * refillSeconds).rounded(.up)))
    }

    /// Forgets full buckets (they behave like absent ones); if that is not enough, the oldest half.
    private func forgetIdle(_ buckets: inout [String: Bucket], at time: Double) {
        buckets = buckets.filter { refilled($0.value, at: time).tokens < burst }
        guard buckets.count > maxKeys else { return }
        let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(buckets.count / 2).map(\.key)
        for key in oldest { buckets.removeValue(forKey: key) }
    }

    static let origin = ContinuousClock.now
    @Sendable static func monotonicSeconds() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
