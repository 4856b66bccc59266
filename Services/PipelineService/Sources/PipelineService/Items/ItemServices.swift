public import AtriumRuntime
import Configuration
import Contracts
import Foundation

/// What the client-item and team-task routes need beyond the handler's database and directory:
/// the store, the outbox their changes publish through, and the payment provider's webhook secret.
public struct ItemServices: Sendable {
    let store: ItemStore
    let outbox: Outbox
    /// `payments.webhook.secret` (`whsec_…`); nil while unset: the payments webhook answers 503.
    let paymentsSecret: String?

    init(store: ItemStore, outbox: Outbox, paymentsSecret: String?) {
        self.store = store
        self.outbox = outbox
        self.paymentsSecret = paymentsSecret
    }

    /// From the service's runtime. A `payments.webhook.secret` that is not a Standard Webhooks
    /// secret leaves the receiver answering 503 and saying why (the service itself still starts).
    public init(_ runtime: ServiceRuntime) {
        let secret = runtime.configuration.reader.string(forKey: "payments.webhook.secret", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
        self.init(store: ItemStore(forUpdate: runtime.database.forUpdate), outbox: runtime.outbox, paymentsSecret: secret)
    }

    var lifecycle: ItemLifecycle { ItemLifecycle(store: store) }

    /// The event types these routes publish.
    static let eventTypes = [
        EventTypes.pipelineItemCompleted, EventTypes.pipelineItemCancelled, EventTypes.pipelineTaskCompleted, EventTypes.pipelineTaskReopened,
        EventTypes.pipelineItemReminderDue,
    ]
}
