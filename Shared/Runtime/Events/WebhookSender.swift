import AsyncHTTPClient
import Foundation
import Metrics
import NIOCore
import NIOHTTP1
import SQLKit

/// Sends one webhook delivery: the handler of the queue's `webhook.delivery` jobs.
///
/// A firm's subscription is checked again right before each connection (its host must still
/// resolve to public addresses only, and plain `http` connects to the checked address) unless the
/// deployment allows private targets; only the status code of its answers is kept.
struct WebhookSender: Sendable {
    let database: Database
    let httpClient: HTTPClient
    let settings: WebhookDeliverySettings

    /// The delivery's retry policy: its lease outlasts the request timeout and the name lookup.
    var policy: JobRetryPolicy {
        JobRetryPolicy(base: settings.retryBase, maxDelay: settings.maxDelay, lease: settings.requestTimeout + .seconds(30))
    }

    func run(_ job: ClaimedJob) async throws -> JobResult {
        guard let target = try await database.sql.raw("""
            SELECT d.event_id, d.owner, s.url, s.secret, e.payload AS body, e.traceparent
            FROM webhook_deliveries d
            JOIN webhook_subscriptions s ON s.id = d.subscription_id
            JOIN outbox_events e ON e.id = d.event_id
            WHERE d.id = \(bind: job.id)
            """).first(decoding: DeliveryTarget.self, keyDecodingStrategy: .snakeCaseColumns)
        else { return .cancelled("the subscription was deleted") }
        let result = await send(target)
        let label = if case .succeeded = result { "delivered" } else { "failed" }
        Counter(label: "atrium_webhook_attempts_total", dimensions: [("result", label)]).increment()
        return result
    }

    private func send(_ target: DeliveryTarget) async -> JobResult {
        guard let key = WebhookSecret.key(of: target.secret) else { return .dead("subscription secret is unusable") }
        let isFirm = target.owner != SubscriptionOwner.atrium
        var pinned = WebhookTarget.Pinned(url: target.url, hostHeader: nil)
        if isFirm && !settings.allowPrivateTargets {
            do {
                pinned = try await WebhookTarget.pin(target.url)
            } catch {
                return .failed("\(error)")
            }
        }
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: pinned.url)
        request.method = .POST
        if let host = pinned.hostHeader { request.headers.add(name: "host", value: host) }
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "Atrium-Webhooks/1")
        request.headers.add(name: "webhook-id", value: target.eventId)
        if let traceparent = target.traceparent { request.headers.add(name: "traceparent", value: traceparent) }
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature",
                            value: WebhookSignature.sign(key: key, id: target.eventId, timestamp: timestamp, body: Array(target.body.utf8)))
        request.body = .bytes(ByteBuffer(string: target.body))
        do {
            let response = try await httpClient.execute(request, timeout: .milliseconds(settings.requestTimeout.milliseconds))
            let code = Int(response.status.code)
            // A firm's target is outside; what it answers is never read back to the firm (SSRF read-back).
            let snippet = isFirm ? nil : (try? await response.body.collect(upTo: 512)).map { String(buffer: $0) }
            if isFirm { _ = try? await response.body.collect(upTo: 64 * 1024) }
            if (200..<300).contains(code) { return .succeeded(code: code) }
            return .failed(snippet.flatMap { $0.isEmpty ? nil : "HTTP \(code): \($0)" } ?? "HTTP \(code)", code: code)
        } catch {
            return .failed("\(error)")
        }
    }
}
