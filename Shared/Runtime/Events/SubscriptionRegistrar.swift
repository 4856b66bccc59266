public import AsyncHTTPClient
import NIOHTTP1
public import Logging
import NIOCore
public import ServiceLifecycle
import Foundation

/// A consumer's standing order: "deliver these event types of that producer to this URL".
public struct SubscriptionRequest: Sendable {
    /// Stable id, so registering again replaces rather than duplicates (e.g. `pipeline-service.chat`).
    public var id: String
    public var producer: ServiceName
    public var eventTypes: [String]
    /// The consumer's receiving route, relative to its own base URL.
    public var path: String

    public init(id: String, producer: ServiceName, eventTypes: [String], path: String) {
        self.id = id
        self.producer = producer
        self.eventTypes = eventTypes
        self.path = path
    }
}

/// Registers a consumer's subscriptions with their producers at start-up, idempotently (PUT by id),
/// retrying with back-off until each producer answers; producers may start later than consumers.
public struct SubscriptionRegistrar: Service {
    let requests: [SubscriptionRequest]
    /// The random secret of each subscription, kept in this service's database.
    let secrets: [String: String]
    let configuration: ServiceConfiguration
    let tokens: ServiceTokenCache
    let httpClient: HTTPClient
    let logger: Logger

    public init(
        requests: [SubscriptionRequest], secrets: [String: String], configuration: ServiceConfiguration, tokens: ServiceTokenCache,
        httpClient: HTTPClient, logger: Logger
    ) {
        self.requests = requests
        self.secrets = secrets
        self.configuration = configuration
        self.tokens = tokens
        self.httpClient = httpClient
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for request in requests {
                    group.addTask { await register(request) }
                }
            }
        }
        // A service that returns early stops the whole group; this one's work is done, so it idles.
        try? await gracefulShutdown()
    }

    private func register(_ subscription: SubscriptionRequest) async {
        var delay: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                try await put(subscription)
                logger.info("webhook subscription registered", metadata: [
                    "subscription": "\(subscription.id)", "producer": "\(subscription.producer.displayName)",
                ])
                return
            } catch {
                logger.debug("webhook subscription not registered yet", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    private func put(_ subscription: SubscriptionRequest) async throws {
        guard let producerURL = configuration.serviceURLs[subscription.producer] else { return }
        struct Body: Encodable {
            var url: String
            var eventTypes: [String]
            var secret: String
            var description: String
        }
        let body = Body(
            url: configuration.publicURL + subscription.path, eventTypes: subscription.eventTypes,
            secret: secrets[subscription.id] ?? "",
            description: "\(configuration.service.displayName) (registered at start-up)")
        var request = HTTPClientRequest(url: "\(producerURL)/v1/webhooks/subscriptions/\(subscription.id)")
        request.method = .PUT
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "authorization", value: "Bearer \(try await tokens.token(for: subscription.producer))")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response = try await httpClient.execute(request, timeout: .seconds(5))
        guard (200..<300).contains(response.status.code) else {
            throw RuntimeError.unavailable("\(subscription.producer.displayName) answered \(response.status.code)")
        }
    }
}
