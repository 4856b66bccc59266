import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import PipelineService
import Testing

/// The payment provider's signed webhook: verified with `payments.webhook.secret`, applied once
/// per webhook id and once per provider payment, refused when forged, stale or malformed.
@Suite("PipelineService: payment webhooks")
struct PipelinePaymentWebhookTests {
    static let secret = WebhookSecret.generate()
    static var settings: [String: String] { ["ATRIUM_PAYMENTS_WEBHOOK_SECRET": secret] }

    /// POSTs `body` to the receiver signed with `secret` (at `timestamp`, now by default).
    static func deliver(_ w: ItemWorld, _ body: [String: Any], id: String = Identifier.make("evt"), secret: String = secret,
                        timestamp: Int = Int(Date().timeIntervalSince1970)) async throws -> (status: Int, json: [String: Any]) {
        let data = try JSONSerialization.data(withJSONObject: body)
        let key = try #require(WebhookSecret.key(of: secret))
        let headers: HTTPFields = [
            .contentType: "application/json", HTTPField.Name("webhook-id")!: id, HTTPField.Name("webhook-timestamp")!: "\(timestamp)",
            HTTPField.Name("webhook-signature")!: WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: data),
        ]
        return try await w.client.execute(uri: "/v1/inbound/payments", method: .post, headers: headers, body: ByteBuffer(bytes: data)) {
            (Int($0.status.code), $0.json)
        }
    }

    static func paid(_ w: ItemWorld, _ id: String) async throws -> (status: String?, paid: Int?) {
        let item = try await w.send(.get, "/v1/items/\(id)", as: "owner").json
        return (item["status"] as? String, (item["invoice"] as? [String: Any])?["paidMinor"] as? Int)
    }

    @Test("applied once per webhook id and per provider payment; the invoice is paid at its total", arguments: TestEngine.all)
    func applied(engine: TestEngine) async throws {
        try await ItemWorld.run(engine, overrides: Self.settings) { w in
            let invoice = try await w.make(try await w.template("invoice", ItemWorld.invoice)).id
            let first = ["invoiceId": invoice, "amountMinor": 20_000, "currency": "EUR", "providerPaymentId": "pi_1"] as [String: Any]
            #expect(try await Self.deliver(w, first, id: "evt_1").status == 204)
            #expect(try await Self.paid(w, invoice) == ("sent", 20_000))
            // The same webhook again, and the same payment under another webhook id: nothing more.
            #expect(try await Self.deliver(w, first, id: "evt_1").status == 204)
            #expect(try await Self.deliver(w, first, id: "evt_2").status == 204)
            #expect(try await Self.paid(w, invoice) == ("sent", 20_000))
            #expect(try await w.events().isEmpty)

            let rest = ["invoiceId": invoice, "amountMinor": 35_000, "currency": "EUR", "providerPaymentId": "pi_2"] as [String: Any]
            #expect(try await Self.deliver(w, rest).status == 204)
            #expect(try await Self.paid(w, invoice) == ("paid", 55_000))
            let payments = (try await w.send(.get, "/v1/items/\(invoice)", as: "owner").json["invoice"] as? [String: Any])?["payments"] as? [[String: Any]] ?? []
            #expect(payments.map { $0["source"] as? String } == ["provider", "provider"] && payments.last?["providerPaymentId"] as? String == "pi_2")
            #expect(try await w.events() == [EventTypes.pipelineItemCompleted])
        }
    }

    @Test("forged, stale, malformed and misdirected webhooks change nothing", arguments: TestEngine.all)
    func refused(engine: TestEngine) async throws {
        try await ItemWorld.run(engine, overrides: Self.settings) { w in
            let invoice = try await w.make(try await w.template("invoice", ItemWorld.invoice)).id
            let proposal = try await w.make(try await w.template("proposal", ItemWorld.proposal)).id
            let body = ["invoiceId": invoice, "amountMinor": 100, "currency": "EUR", "providerPaymentId": "pi_1"] as [String: Any]

            let forged = try await Self.deliver(w, body, secret: WebhookSecret.generate())
            #expect(forged.status == 400 && (forged.json["detail"] as? String)?.contains("signature") == true, "\(forged.json)")
            let stale = try await Self.deliver(w, body, timestamp: Int(Date().timeIntervalSince1970) - 3600)
            #expect(stale.status == 400 && (stale.json["detail"] as? String)?.contains("timestamp") == true)
            let unsigned = try await w.client.execute(uri: "/v1/inbound/payments", method: .post, headers: [.contentType: "application/json"],
                                                      body: try JSON.buffer(body)) { $0.status.code }
            #expect(unsigned == 400)

            let malformed: [([String: Any], String)] = [
                (["amountMinor": 100, "currency": "EUR", "providerPaymentId": "pi"], "invoiceId"),
                (["invoiceId": invoice, "amountMinor": "100", "currency": "EUR", "providerPaymentId": "pi"], "amountMinor"),
                (["invoiceId": invoice, "amountMinor": 0, "currency": "EUR", "providerPaymentId": "pi"], "amountMinor"),
                (["invoiceId": invoice, "amountMinor": 100, "currency": "eur", "providerPaymentId": "pi"], "currency"),
                (["invoiceId": invoice, "amountMinor": 100, "currency": "EUR", "providerPaymentId": ""], "providerPaymentId"),
                (["invoiceId": "nope", "amountMinor": 100, "currency": "EUR", "providerPaymentId": "pi"], "invoiceId"),
            ]
            for (bad, field) in malformed {
                let (status, json) = try await Self.deliver(w, bad)
                #expect(status == 400 && (json["detail"] as? String)?.contains(field) == true, "\(field): \(json)")
            }
            var wrongCurrency = body
            wrongCurrency["currency"] = "USD"
            #expect(try await Self.deliver(w, wrongCurrency).status == 409)
            var missing = body
            missing["invoiceId"] = Identifier.make("itm")
            #expect(try await Self.deliver(w, missing).status == 404)
            var notInvoice = body
            notInvoice["invoiceId"] = proposal
            #expect(try await Self.deliver(w, notInvoice).status == 409)
            #expect(try await Self.paid(w, invoice) == ("sent", 0))

            // A refused webhook is not remembered: once the invoice can take it, its retry applies.
            #expect(try await Self.deliver(w, body, id: "evt_retry").status == 204)
            #expect(try await Self.paid(w, invoice) == ("sent", 100))
            #expect(try await w.send(.post, "/v1/items/\(invoice)/cancel", as: "owner").status == 200)
            var late = body
            late["providerPaymentId"] = "pi_late"
            #expect(try await Self.deliver(w, late).status == 409, "a cancelled invoice takes no payment")
        }
    }

    @Test("without a usable payments.webhook.secret the receiver answers 503 saying so", arguments: TestEngine.all)
    func unconfigured(engine: TestEngine) async throws {
        try await ItemWorld.run(engine) { w in
            let (status, json) = try await Self.deliver(w, ["invoiceId": Identifier.make("itm"), "amountMinor": 1, "currency": "EUR", "providerPaymentId": "p"])
            #expect(status == 503 && (json["detail"] as? String)?.contains("payments.webhook.secret") == true, "\(json)")
        }
        try await ItemWorld.run(engine, overrides: ["ATRIUM_PAYMENTS_WEBHOOK_SECRET": "not-a-secret"]) { w in
            let (status, json) = try await Self.deliver(w, ["invoiceId": Identifier.make("itm"), "amountMinor": 1, "currency": "EUR", "providerPaymentId": "p"])
            #expect(status == 503 && (json["detail"] as? String)?.contains("whsec_") == true, "\(json)")
        }
    }
}
