public import Foundation
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
        return state.withLock { state in
            guard let entry = state.grants[accountID], entry.storedAt.duration(to: now) < lifetime else { return nil }
            return entry.value
        }
    }

    /// Keeps `grant` unless a newer version is already held.
    public func store(_ grant: AccountGrant) {
        let now = ContinuousClock.now
        state.withLock { state in
            if let held = state.grants[grant.accountID], held.value.version > grant.version { return }
            Self.makeRoom(&state.grants, capacity: capacity)
            state.grants[grant.accountID] = Entry(value: grant, storedAt: now)
        }
    }

    public func policy(_ firmID: String) -> FirmPolicy? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let entry = state.policies[firmID], entry.storedAt.duration(to: now) < lifetime else { return nil }
            return entry.value
        }
    }

    public func store(_ policy: FirmPolicy) {
        let now = ContinuousClock.now
        state.withLock { state in
            if let held = state.policies[policy.firmID], held.value.changedAt > policy.changedAt { return }
            Self.makeRoom(&state.policies, capacity: capacity)
            state.policies[policy.firmID] = Entry(value: policy, storedAt: now)
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

    private static func makeRoom<Value>(_ entries: inout [String: Entry<Value>], capacity: Int) {
        guard entries.count >= capacity else { return }
        let oldest = entries.sorted { $0.value.storedAt < $1.value.storedAt }.prefix(capacity / 2).map(\.key)
        for key in oldest { entries[key] = nil }
    }
}
