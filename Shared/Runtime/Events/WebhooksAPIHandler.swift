import Foundation
import OpenAPIRuntime
import SQLKit
public import WebhooksAPI

/// The `/v1/webhooks/...` routes every producing service serves.
///
/// Owners and admins manage their own firm's subscriptions, which receive only that firm's
/// events; Atrium services manage deployment-wide subscriptions, which receive every event.
public struct WebhooksAPIHandler: APIProtocol {
    let database: Database
    let signal: OutboxSignal
    let eventTypes: [String]
    let attemptBudget: Int

    /// The firm whose resources the caller may manage; nil for a service, which sees all.
    private func scope() throws -> String? {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.isOperator, "Only owners, admins and Atrium services manage webhooks.")
        return caller.kind == .service ? nil : caller.firmID
    }

    public func listEventTypes(_ input: Operations.ListEventTypes.Input) async throws -> Operations.ListEventTypes.Output {
        _ = try scope()
        return .ok(.init(body: .json(.init(items: eventTypes))))
    }

    public func listSubscriptions(_ input: Operations.ListSubscriptions.Input) async throws -> Operations.ListSubscriptions.Output {
        let firm = try scope()
        var query = database.sql.select().column("*").from("webhook_subscriptions").orderBy("created_at")
        if let firm { query = query.where("firm_id", .equal, SQLBind(firm)) }
        let rows = try await query.all(decoding: SubscriptionRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
        return .ok(.init(body: .json(.init(items: rows.map(\.wire)))))
    }

    public func createSubscription(_ input: Operations.CreateSubscription.Input) async throws -> Operations.CreateSubscription.Output {
        let firm = try scope()
        guard case .json(let body) = input.body else { throw RuntimeError.invalidBody("Expected JSON.") }
        let record = try await save(id: Identifier.make("sub"), firm: firm, input: body, replacing: false)
        return .created(.init(body: .json(record.wireWithSecret)))
    }

    public func getSubscription(_ input: Operations.GetSubscription.Input) async throws -> Operations.GetSubscription.Output {
        let record = try await find(input.path.subscriptionId, firm: try scope())
        return .ok(.init(body: .json(record.wire)))
    }

    public func putSubscription(_ input: Operations.PutSubscription.Input) async throws -> Operations.PutSubscription.Output {
        let firm = try scope()
        guard case .json(let body) = input.body else { throw RuntimeError.invalidBody("Expected JSON.") }
        let id = try SubscriptionValidation.id(input.path.subscriptionId)
        let existing = try await fetch(id)
        if let existing, existing.firmId != firm { throw RuntimeError.notFound("No subscription \(id).") }
        let record = try await save(id: id, firm: firm, input: body, replacing: existing != nil)
        return existing == nil ? .created(.init(body: .json(record.wireWithSecret))) : .ok(.init(body: .json(record.wireWithSecret)))
    }

    public func deleteSubscription(_ input: Operations.DeleteSubscription.Input) async throws -> Operations.DeleteSubscription.Output {
        let record = try await find(input.path.subscriptionId, firm: try scope())
        try await database.sql.delete(from: "webhook_subscriptions").where("id", .equal, SQLBind(record.id)).run()
        return .noContent(.init())
    }

    public func listDeliveries(_ input: Operations.ListDeliveries.Input) async throws -> Operations.ListDeliveries.Output {
        let firm = try scope()
        let limit = input.query.limit ?? 50
        guard (1...200).contains(limit) else { throw RuntimeError.invalidRequest("limit must be between 1 and 200.") }
        var query = database.sql.select().column("*").from("webhook_deliveries").orderBy("id", .descending).limit(limit + 1)
        if let firm { query = query.where("firm_id", .equal, SQLBind(firm)) }
        if let status = input.query.status { query = query.where("status", .equal, SQLBind(status.rawValue)) }
        if let subscription = input.query.subscriptionId { query = query.where("subscription_id", .equal, SQLBind(subscription)) }
        if let cursor = input.query.cursor { query = query.where("id", .lessThan, SQLBind(cursor)) }
        let rows = try await query.all(decoding: DeliveryRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last?.id : nil
        return .ok(.init(body: .json(.init(items: page.map(\.wire), nextCursor: next))))
    }

    public func listAttempts(_ input: Operations.ListAttempts.Input) async throws -> Operations.ListAttempts.Output {
        let delivery = try await findDelivery(input.path.deliveryId, firm: try scope())
        let rows = try await database.sql.select().column("*").from("webhook_attempts")
            .where("delivery_id", .equal, SQLBind(delivery.id)).orderBy("number")
            .all(decoding: AttemptRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
        return .ok(.init(body: .json(.init(items: rows.map(\.wire)))))
    }

    public func replayDelivery(_ input: Operations.ReplayDelivery.Input) async throws -> Operations.ReplayDelivery.Output {
        let delivery = try await findDelivery(input.path.deliveryId, firm: try scope())
        guard delivery.status != DeliveryStatus.pending.rawValue else {
            throw RuntimeError.conflict("Delivery \(delivery.id) is still pending; it will be tried again by itself.")
        }
        // A fresh budget of attempts from now on; the attempt history is kept.
        try await database.sql.update("webhook_deliveries")
            .set("status", to: SQLBind(DeliveryStatus.pending.rawValue))
            .set("attempt_budget", to: SQLBind(delivery.attempts + Int64(attemptBudget)))
            .set("next_attempt_at", to: SQLBind(EpochMillis.now()))
            .set("lease_until", to: SQLBind(Int64?.none))
            .where("id", .equal, SQLBind(delivery.id)).run()
        signal.notify()
        return .accepted(.init(body: .json(try await findDelivery(delivery.id, firm: nil).wire)))
    }

    private func save(id: String, firm: String?, input: Components.Schemas.SubscriptionInput, replacing: Bool) async throws -> SubscriptionRecord {
        let valid = try SubscriptionValidation(input)
        let now = EpochMillis.now()
        let record = SubscriptionRecord(
            id: id, firmId: firm, url: valid.url, eventTypes: valid.eventTypesJSON, secret: valid.secret,
            description: input.description, createdAt: now, updatedAt: now)
        if replacing {
            try await database.sql.update("webhook_subscriptions")
                .set("url", to: SQLBind(record.url)).set("event_types", to: SQLBind(record.eventTypes))
                .set("secret", to: SQLBind(record.secret)).set("description", to: SQLBind(record.description))
                .set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(id)).run()
            return try await fetch(id) ?? record
        }
        try await database.sql.insert(into: "webhook_subscriptions").model(record, keyEncodingStrategy: .convertToSnakeCase).run()
        return record
    }

    private func fetch(_ id: String) async throws -> SubscriptionRecord? {
        try await database.sql.row(SubscriptionRecord.self, from: "webhook_subscriptions", is: id)
    }

    private func find(_ id: String, firm: String?) async throws -> SubscriptionRecord {
        guard let record = try await fetch(id), firm == nil || record.firmId == firm else {
            throw RuntimeError.notFound("No subscription \(id).")
        }
        return record
    }

    private func findDelivery(_ id: String, firm: String?) async throws -> DeliveryRecord {
        let record = try await database.sql.row(DeliveryRecord.self, from: "webhook_deliveries", is: id)
        guard let record, firm == nil || record.firmId == firm else { throw RuntimeError.notFound("No delivery \(id).") }
        return record
    }
}
