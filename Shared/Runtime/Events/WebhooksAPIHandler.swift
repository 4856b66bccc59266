import Contracts
import Foundation
import OpenAPIRuntime
import SQLKit
public import WebhooksAPI

/// The `/v1/webhooks/...` routes every producing service serves.
///
/// Every subscription has an owner: a firm (made by its owners or admins; it receives only that
/// firm's events) or Atrium (made by a service; it receives every event). Callers see, name,
/// replay and delete only their owner's subscriptions and deliveries: a firm's PUT of
/// `pipeline-service.chat` makes the firm's own subscription of that name, never the service's.
public struct WebhooksAPIHandler: APIProtocol {
    let database: Database
    let signal: OutboxSignal
    let eventTypes: [String]
    let attemptBudget: Int
    let allowPrivateTargets: Bool

    /// The owner whose resources the caller manages.
    private func scope() throws -> String {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.isOperator, "Only owners, admins and Atrium services manage webhooks.")
        guard caller.kind != .service, let firm = caller.firmID else { return SubscriptionOwner.atrium }
        return SubscriptionOwner.firm(firm)
    }

    /// Firms see the types published for integrators; Atrium's services see every type.
    public func listEventTypes(_ input: Operations.ListEventTypes.Input) async throws -> Operations.ListEventTypes.Output {
        let owner = try scope()
        let visible = owner == SubscriptionOwner.atrium ? eventTypes : eventTypes.filter { !EventTypes.internalOnly.contains($0) }
        return .ok(.init(body: .json(.init(items: visible))))
    }

    public func listSubscriptions(_ input: Operations.ListSubscriptions.Input) async throws -> Operations.ListSubscriptions.Output {
        let rows = try await database.sql.select().column("*").from("webhook_subscriptions")
            .where("owner", .equal, SQLBind(try scope())).orderBy("created_at")
            .all(decoding: SubscriptionRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        return .ok(.init(body: .json(.init(items: rows.map(\.wire)))))
    }

    public func createSubscription(_ input: Operations.CreateSubscription.Input) async throws -> Operations.CreateSubscription.Output {
        let owner = try scope()
        guard case .json(let body) = input.body else { throw RuntimeError.invalidBody("Expected JSON.") }
        let record = try await save(name: Identifier.make("sub"), owner: owner, input: body, replacing: false)
        return .created(.init(body: .json(record.wireWithSecret)))
    }

    public func getSubscription(_ input: Operations.GetSubscription.Input) async throws -> Operations.GetSubscription.Output {
        .ok(.init(body: .json(try await find(input.path.subscriptionId, owner: try scope()).wire)))
    }

    public func putSubscription(_ input: Operations.PutSubscription.Input) async throws -> Operations.PutSubscription.Output {
        let owner = try scope()
        guard case .json(let body) = input.body else { throw RuntimeError.invalidBody("Expected JSON.") }
        let name = try SubscriptionValidation.id(input.path.subscriptionId)
        let exists = try await fetch(SubscriptionOwner.key(owner, name)) != nil
        let record = try await save(name: name, owner: owner, input: body, replacing: exists)
        return exists ? .ok(.init(body: .json(record.wireWithSecret))) : .created(.init(body: .json(record.wireWithSecret)))
    }

    /// Deletes the subscription and, in the same transaction, cancels its pending deliveries.
    public func deleteSubscription(_ input: Operations.DeleteSubscription.Input) async throws -> Operations.DeleteSubscription.Output {
        let record = try await find(input.path.subscriptionId, owner: try scope())
        let now = EpochMillis.now()
        try await database.transaction { tx in
            try await tx.delete(from: "webhook_subscriptions").where("id", .equal, SQLBind(record.id)).run()
            try await JobStore.cancel(
                tx, idsIn: "SELECT id FROM webhook_deliveries WHERE subscription_id = \(bind: record.id)",
                reason: "the subscription was deleted", now: now)
        }
        return .noContent(.init())
    }

    public func listDeliveries(_ input: Operations.ListDeliveries.Input) async throws -> Operations.ListDeliveries.Output {
        let owner = try scope()
        let limit = input.query.limit ?? 50
        guard (1...200).contains(limit) else { throw RuntimeError.invalidRequest("limit must be between 1 and 200.") }
        var query = deliveries().where(SQLColumn("owner", table: "d"), .equal, SQLBind(owner))
            .orderBy(SQLColumn("id", table: "d"), SQLDirection.descending).limit(limit + 1)
        if let status = input.query.status {
            query = query.where(SQLColumn("status", table: "j"), .equal, SQLBind(status.jobStatus.rawValue))
        }
        if let name = input.query.subscriptionId {
            query = query.where(SQLColumn("subscription_id", table: "d"), .equal, SQLBind(SubscriptionOwner.key(owner, name)))
        }
        if let cursor = input.query.cursor { query = query.where(SQLColumn("id", table: "d"), .lessThan, SQLBind(cursor)) }
        let rows = try await query.all(decoding: DeliveryView.self, keyDecodingStrategy: .snakeCaseColumns)
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last?.id : nil
        return .ok(.init(body: .json(.init(items: page.map(\.wire), nextCursor: next))))
    }

    public func listAttempts(_ input: Operations.ListAttempts.Input) async throws -> Operations.ListAttempts.Output {
        let delivery = try await findDelivery(input.path.deliveryId, owner: try scope())
        let rows = try await database.sql.select().columns("number", "started_at", "outcome", "code", "error", "duration_ms")
            .from("job_attempts").where("job_id", .equal, SQLBind(delivery.id)).orderBy("number")
            .all(decoding: AttemptView.self, keyDecodingStrategy: .snakeCaseColumns)
        return .ok(.init(body: .json(.init(items: rows.map(\.wire)))))
    }

    public func replayDelivery(_ input: Operations.ReplayDelivery.Input) async throws -> Operations.ReplayDelivery.Output {
        let owner = try scope()
        let delivery = try await findDelivery(input.path.deliveryId, owner: owner)
        let budget = attemptBudget
        // A fresh budget of attempts from now on; the attempt history is kept.
        let replayed = try await database.transaction { tx in
            try await JobStore.replay(tx, id: delivery.id, extraAttempts: budget, now: EpochMillis.now())
        }
        guard replayed else {
            throw RuntimeError.conflict("Delivery \(delivery.id) is still pending; it will be tried again by itself.")
        }
        signal.notify()
        return .accepted(.init(body: .json(try await findDelivery(delivery.id, owner: owner).wire)))
    }

    private func save(name: String, owner: String, input: Components.Schemas.SubscriptionInput, replacing: Bool) async throws -> SubscriptionRecord {
        let valid = try SubscriptionValidation(input)
        if owner != SubscriptionOwner.atrium {
            let internalTypes = input.eventTypes.filter { EventTypes.internalOnly.contains($0) }
            guard internalTypes.isEmpty else {
                throw RuntimeError.invalidBody("\(internalTypes.sorted().joined(separator: ", ")) is internal to Atrium and not published to firm subscriptions.")
            }
            if !allowPrivateTargets { try await WebhookTarget.vet(valid.url) }
        }
        let now = EpochMillis.now()
        let key = SubscriptionOwner.key(owner, name)
        let record = SubscriptionRecord(
            id: key, firmId: owner == SubscriptionOwner.atrium ? nil : String(owner.dropFirst("firm:".count)), owner: owner,
            name: name, url: valid.url, eventTypes: valid.eventTypesJSON, secret: valid.secret,
            description: input.description, createdAt: now, updatedAt: now)
        if replacing {
            try await database.sql.update("webhook_subscriptions")
                .set("url", to: SQLBind(record.url)).set("event_types", to: SQLBind(record.eventTypes))
                .set("secret", to: SQLBind(record.secret)).set("description", to: SQLBind(record.description))
                .set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(key)).run()
            return try await fetch(key) ?? record
        }
        try await database.sql.insert(into: "webhook_subscriptions").model(record, keyEncodingStrategy: .convertToSnakeCase).run()
        return record
    }

    private func fetch(_ key: String) async throws -> SubscriptionRecord? {
        try await database.sql.row(SubscriptionRecord.self, from: "webhook_subscriptions", is: key)
    }

    private func find(_ name: String, owner: String) async throws -> SubscriptionRecord {
        guard let record = try await fetch(SubscriptionOwner.key(owner, name)) else {
            throw RuntimeError.notFound("No subscription \(name).")
        }
        return record
    }

    /// Deliveries joined with their jobs, where their status lives.
    private func deliveries() -> SQLSelectBuilder {
        database.sql.select()
            .column(SQLColumn("id", table: "d")).column(SQLColumn("event_id", table: "d"))
            .column(SQLColumn("event_type", table: "d")).column(SQLColumn("subscription_id", table: "d"))
            .column(SQLColumn("owner", table: "d")).column(SQLColumn("created_at", table: "d"))
            .column(SQLColumn("status", table: "j")).column(SQLColumn("attempts", table: "j"))
            .column(SQLColumn("run_at", table: "j")).column(SQLColumn("lease_token", table: "j"))
            .column(SQLColumn("last_error", table: "j")).column(SQLColumn("finished_at", table: "j"))
            .from(SQLAlias(SQLIdentifier("webhook_deliveries"), as: SQLIdentifier("d")))
            .join(SQLAlias(SQLIdentifier("jobs"), as: SQLIdentifier("j")), method: SQLJoinMethod.inner,
                  on: SQLColumn("id", table: "j"), .equal, SQLColumn("id", table: "d"))
    }

    private func findDelivery(_ id: String, owner: String) async throws -> DeliveryView {
        let record = try await deliveries().where(SQLColumn("id", table: "d"), .equal, SQLBind(id))
            .where(SQLColumn("owner", table: "d"), .equal, SQLBind(owner))
            .first(decoding: DeliveryView.self, keyDecodingStrategy: .snakeCaseColumns)
        guard let record else { throw RuntimeError.notFound("No delivery \(id).") }
        return record
    }
}
