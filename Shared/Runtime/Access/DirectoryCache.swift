import Foundation
import Synchronization

/// A service's local copy of the directory facts its access checks need: account grants, firm
/// policies and team members' standing.
///
/// Filled on demand from AccountService and kept current by AccountService's events; entries
/// also expire after `lifetime`, which bounds staleness should a service miss an event (for
/// example one published before it first subscribed).
public final class DirectoryCache: Sendable {
    struct Entry<Value> {
        var value: Value
        var storedAt: ContinuousClock.Instant
    }

    struct State {
        var grants: [String: Entry<AccountGrant>] = [:]
        var policies: [String: Entry<FirmPolicy>] = [:]
        var members: [String: MemberStanding] = [:]
    }

    private let state = Mutex(State())
    public let lifetime: Duration
    /// Entries kept per kind before the oldest half is dropped.
    public let capacity: Int

    public init(lifetime: Duration = .seconds(300), capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The account's grant if a fresh copy is held.
    public func grant(_ accountID: String) -> AccountGrant? {
        let now = ContinuousClock.now
        return state.withLock { $0.grants.fresh(accountID, now: now, lifetime: lifetime) }
    }

    /// Keeps `grant` unless a newer version is already held.
    public func store(_ grant: AccountGrant) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.grants.keep(grant, for: grant.accountID, now: now, capacity: capacity) { held in held.version > grant.version }
        }
    }

    /// The firm's settings if a fresh copy is held.
    public func policy(_ firmID: String) -> FirmPolicy? {
        let now = ContinuousClock.now
        return state.withLock { $0.policies.fresh(firmID, now: now, lifetime: lifetime) }
    }

    /// Keeps `policy` unless newer settings are already held.
    public func store(_ policy: FirmPolicy) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.policies.keep(policy, for: policy.firmID, now: now, capacity: capacity) { held in held.changedAt > policy.changedAt }
        }
    }

    /// Records a member's new standing (never expires: it only ever narrows what old tokens may do).
    public func store(member memberID: String, _ standing: MemberStanding) {
        state.withLock { state in
            if let held = state.members[memberID], held.version > standing.version { return }
            state.members[memberID] = standing
        }
    }

    /// Why a verified token may no longer be used, or nil when it may.
    public func refusal(of caller: Caller) -> String? {
        // A portal view stands or falls with the team member looking through it.
        let (memberID, tokenStanding) = caller.kind == .member
            ? (caller.subject, caller.standing) : (caller.portalView?.memberID, caller.portalView?.standing ?? 0)
        guard let memberID, let standing = state.withLock({ $0.members[memberID] }) else { return nil }
        if !standing.active { return "This team member has been deactivated." }
        if tokenStanding < standing.version { return "The team member's role or rights changed; refresh the token." }
        return nil
    }
}

extension Dictionary where Key == String {
    /// The value under `key` if it was stored less than `lifetime` ago.
    fileprivate func fresh<Held>(_ key: String, now: ContinuousClock.Instant, lifetime: Duration) -> Held?
    where Value == DirectoryCache.Entry<Held> {
        guard let entry = self[key], entry.storedAt.duration(to: now) < lifetime else { return nil }
        return entry.value
    }

    /// Stores `value` unless what is held is newer; past `capacity` entries, drops the older half first.
    fileprivate mutating func keep<Held>(
        _ value: Held, for key: String, now: ContinuousClock.Instant, capacity: Int, heldIsNewer: (Held) -> Bool
    ) where Value == DirectoryCache.Entry<Held> {
        if let held = self[key], heldIsNewer(held.value) { return }
        if count >= capacity {
            let oldest = sorted { $0.value.storedAt < $1.value.storedAt }.prefix(capacity / 2).map(\.key)
            for old in oldest { self[old] = nil }
        }
        self[key] = DirectoryCache.Entry(value: value, storedAt: now)
    }
}
