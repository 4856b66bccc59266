import AtriumRuntime
import Foundation
import OpenAPIRuntime
import PipelineAPI
import SQLKit

/// The payment provider's webhook: Standard Webhooks headers verified with
/// `payments.webhook.secret`, each webhook applied once (`payment_webhook_receipts`) and each
/// provider payment recorded once (`item_payments.provider_payment_id`).
extension PipelineAPIHandler {
    func receivePaymentWebhook(_ input: Operations.ReceivePaymentWebhook.Input) async throws -> Operations.ReceivePaymentWebhook.Output {
        guard let secret = items.paymentsSecret else {
            throw RuntimeError.unavailable("Payment webhooks are not set up here: payments.webhook.secret is unset.")
        }
        guard let key = WebhookSecret.key(of: secret) else {
            throw RuntimeError.unavailable("Payment webhooks are not set up here: payments.webhook.secret is not whsec_ and the base64 of 24 to 64 bytes.")
        }
        guard case .any(let stream) = input.body else { throw PipelineError.invalid("Expected a body.") }
        let body: Data
        do {
            body = try await Data(collecting: stream, upTo: WebhookInbox.maxEventBytes)
        } catch {
            throw RuntimeError.payloadTooLarge(WebhookInbox.maxEventBytes)
        }
        let headers = input.headers
        try WebhookSignature.verify(key: key, id: headers.webhookId, timestamp: headers.webhookTimestamp, signature: headers.webhookSignature, body: body)
        let notification = try Self.paymentNotification(body)
        let (store, lifecycle, webhookID) = (items.store, items.lifecycle, headers.webhookId)
        try await items.outbox.transaction { tx in
            let fresh = try await tx.sql.raw("""
                INSERT INTO payment_webhook_receipts (webhook_id, received_at) VALUES (\(bind: webhookID), \(bind: EpochMillis.now()))
                ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id
                """).first()
            guard fresh != nil else { return }
            guard let invoice = try await store.item(notification.invoiceId, lock: true, on: tx.sql) else {
                throw PipelineError.itemNotFound(notification.invoiceId)
            }
            let payment = PaymentRecord(
                id: Identifier.make("pay"), itemId: invoice.id, amountMinor: notification.amountMinor, currency: notification.currency, method: "card",
                note: nil, source: "provider", providerPaymentId: notification.providerPaymentId, recordedBy: nil, recordedAt: EpochMillis.now())
            _ = try await lifecycle.pay(invoice, payment, on: tx)
        }
        return .noContent(.init())
    }

    /// The verified body as a `PaymentNotification`, checked; 400 naming what is wrong.
    static func paymentNotification(_ body: Data) throws -> Components.Schemas.PaymentNotification {
        let notification: Components.Schemas.PaymentNotification
        do {
            notification = try JSONDecoder().decode(Components.Schemas.PaymentNotification.self, from: body)
        } catch let DecodingError.keyNotFound(key, _) {
            throw PipelineError.invalid("The payment notification lacks \(key.stringValue).")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw PipelineError.invalid("The payment notification's \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type.")
        } catch {
            throw PipelineError.invalid("The payment notification is not a JSON object {invoiceId, amountMinor, currency, providerPaymentId}.")
        }
        guard notification.amountMinor >= 1 else { throw PipelineError.invalid("amountMinor must be at least 1.") }
        _ = try ItemTemplateRules.currency(notification.currency, field: "currency")
        guard !notification.providerPaymentId.isEmpty, notification.providerPaymentId.count <= 200 else {
            throw PipelineError.invalid("providerPaymentId must be 1 to 200 characters.")
        }
        guard Identifier.isWellFormed(notification.invoiceId, prefix: "itm") else { throw PipelineError.invalid("invoiceId is not an item id.") }
        return notification
    }
}
