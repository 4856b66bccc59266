public import AsyncHTTPClient
public import Logging
import NIOCore
import NIOHTTP1
public import ServiceLifecycle
import Synchronization
import Foundation
import Metrics

/// Delivers outbox events to subscriptions: woken at once by new rows, retrying with
/// exponential back-off and jitter, recording every attempt, parking what keeps failing as dead.
///
/// Several replicas may run it against one PostgreSQL database: claims use
/// `FOR UPDATE SKIP LOCKED` and a lease, so a delivery is in flight in one place at a time, and a
/// lease left by a process that died expires and is taken up again.
public struct WebhookDispatcher: Service {
    let store: WebhookStore
    let signal: OutboxSignal
    let httpClient: HTTPClient
    let settings: WebhookDeliverySettings
    let logger: Logger
    /// The longest the dispatcher sleeps without a signal (other replicas' rows, due retries).
    let idlePoll: Duration

    public init(
        database: Database, signal: OutboxSignal, httpClient: HTTPClient, settings: WebhookDeliverySettings,
        logger: Logger, idlePoll: Duration = .seconds(1)
    ) {
        self.store = WebhookStore(database: database)
        self.signal = signal
        self.httpClient = httpClient
        self.settings = settings
        self.logger = logger
        self.idlePoll = idlePoll
    }

    public func run() async throws {
        let state = DispatcherState()
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                var waiter = signal.makeWaiter()
                while !state.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    let free = settings.concurrency - state.inFlight.load(ordering: .relaxed)
                    let (jobs, busy) = await pass(claiming: free)
                    for job in jobs {
                        state.inFlight.add(1, ordering: .relaxed)
                        group.addTask {
                            await deliver(job)
                            state.inFlight.subtract(1, ordering: .relaxed)
                            signal.notify()
                        }
                    }
                    if !busy { await waiter.wait(timeout: await idleWait()) }
                }
            } onGracefulShutdown: {
                // Stop claiming; deliveries in flight finish (each bounded by its timeout).
                state.stopping.store(true, ordering: .relaxed)
                signal.notify()
            }
        }
    }

    /// One round: fan out new events, claim what is due. `busy` means there is more to do at once.
    private func pass(claiming free: Int) async -> (jobs: [DeliveryJob], busy: Bool) {
        do {
            let (fanned, jobs) = try await store.fanOutAndClaim(
                fanOutLimit: 500, budget: settings.maxAttempts, claim: free,
                leaseMillis: settings.requestTimeout.milliseconds + 30_000)
            return (jobs, fanned == 500)
        } catch {
            logger.error("webhook dispatcher pass failed", metadata: ["error": "\(String(reflecting: error))"])
            try? await Task.sleep(for: .seconds(1))
            return ([], false)
        }
    }

    private func idleWait() async -> Duration {
        guard let next = try? await store.nextDue() else { return idlePoll }
        let millis = max(0, next - EpochMillis.now())
        return min(idlePoll, .milliseconds(millis))
    }

    private func deliver(_ job: DeliveryJob) async {
        let outcome = await send(job)
        let retryAt: Int64? =
            outcome.succeeded || job.attempts + 1 >= job.attemptBudget
            ? nil : EpochMillis.now() + settings.backoffMillis(afterAttempt: Int(job.attempts + 1))
        do {
            try await store.record(job, outcome: outcome, retryAt: retryAt)
        } catch {
            // The lease expires and the delivery is tried again; the consumer's inbox absorbs the repeat.
            logger.error("could not record webhook attempt", metadata: ["delivery": "\(job.deliveryID)", "error": "\(error)"])
        }
        let result = outcome.succeeded ? "delivered" : (retryAt == nil ? "dead" : "retry")
        Counter(label: "atrium_webhook_attempts_total", dimensions: [("result", result)]).increment()
        Metrics.Timer(label: "atrium_webhook_attempt_duration_seconds", preferredDisplayUnit: .seconds)
            .recordMilliseconds(outcome.durationMs)
        if !outcome.succeeded {
            logger.warning("webhook delivery failed", metadata: [
                "delivery": "\(job.deliveryID)", "attempt": "\(job.attempts + 1)", "dead": "\(retryAt == nil)",
                "error": "\(outcome.failure ?? "")",
            ])
        }
    }

    private func send(_ job: DeliveryJob) async -> AttemptOutcome {
        let started = ContinuousClock.now
        func elapsed() -> Int64 { (ContinuousClock.now - started).milliseconds }
        guard let key = WebhookSecret.key(of: job.secret) else {
            return AttemptOutcome(statusCode: nil, error: "subscription secret is unusable", durationMs: 0)
        }
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: job.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "Atrium-Webhooks/1")
        request.headers.add(name: "webhook-id", value: job.eventID)
        if let traceparent = job.traceparent { request.headers.add(name: "traceparent", value: traceparent) }
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature",
                            value: WebhookSignature.sign(key: key, id: job.eventID, timestamp: timestamp, body: Array(job.body.utf8)))
        request.body = .bytes(ByteBuffer(string: job.body))
        do {
            let timeout = TimeAmount.milliseconds(settings.requestTimeout.milliseconds)
            let response = try await httpClient.execute(request, timeout: timeout)
            let snippet = try? await response.body.collect(upTo: 512)
            let code = Int(response.status.code)
            let error = (200..<300).contains(code) ? nil : snippet.map { String(buffer: $0) }.flatMap { $0.isEmpty ? nil : "HTTP \(code): \($0)" }
            return AttemptOutcome(statusCode: code, error: error, durationMs: elapsed())
        } catch {
            return AttemptOutcome(statusCode: nil, error: "\(error)", durationMs: elapsed())
        }
    }
}

/// Counters shared between the dispatch loop and its delivery tasks.
private final class DispatcherState: Sendable {
    let inFlight = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
}
