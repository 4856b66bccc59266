import AtriumRuntime
import Foundation

/// Once a day, at `notify.digest.hour` (UTC), every team member who chose the digest gets one
/// e-mail listing what they would otherwise have been e-mailed one by one since the last.
struct DigestJob: Sendable {
    static let kind = JobKind<Payload>("notify.digest", maxAttempts: 20)
    static let dayMillis: Int64 = 86_400_000

    struct Payload: Codable, Sendable {
        /// The run's time (Unix milliseconds): the digest of that day.
        var at: Int64
    }

    let outbox: Outbox
    let store: DigestStore
    let emails: EmailStore
    let composer: EmailComposer
    let domain: String
    let hour: Int
    let clock: any JobClock

    /// The next digest time after `now`: today's hour if it is still to come, else tomorrow's.
    static func next(after now: Int64, hour: Int) -> Int64 {
        let today = now - now % dayMillis + Int64(hour) * 3_600_000
        return today > now ? today : today + dayMillis
    }

    /// Puts the next run on the queue (once per run time, however many replicas start).
    static func schedule(after now: Int64, hour: Int, on tx: OutboxTransaction) async throws {
        let at = next(after: now, hour: hour)
        try await tx.enqueue(kind, Payload(at: at), runAt: at, uniqueKey: "digest:\(at)")
    }

    func run(_ payload: Payload) async throws -> JobResult {
        var after: String?
        while true {
            let members = try await store.waitingMembers(after: after, limit: 100, on: outbox.database.sql)
            for member in members { try await send(member, day: payload.at) }
            guard members.count == 100 else { break }
            after = members.last
        }
        let (hour, at) = (self.hour, payload.at)
        try await outbox.transaction { tx in try await Self.schedule(after: at, hour: hour, on: tx) }
        return .succeeded()
    }

    /// One member's digest: their waiting entries taken and their e-mail queued in one transaction.
    private func send(_ member: String, day: Int64) async throws {
        let (store, emails, composer, domain, now) = (self.store, self.emails, self.composer, self.domain, clock.now())
        try await outbox.transaction { tx in
            let entries = try await store.take(for: member, on: tx.sql)
            guard let latest = entries.last else { return }
            let email = EmailRecord(cause: "digest:\(member):\(day)", firmID: latest.firmId, kind: .digest,
                                    to: MailAddress(name: latest.name, email: latest.email), recipientID: member,
                                    content: composer.digest(entries), domain: domain, at: now)
            try await EmailSendJob.queue(email, store: emails, maxAttempts: composer.settings.maxAttempts, on: tx)
        }
    }

    func handlers() -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register(Self.kind) { _, payload in try await run(payload) }
        return handlers
    }
}
