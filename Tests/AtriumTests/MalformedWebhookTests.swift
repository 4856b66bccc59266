import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PipelineService
import Testing

/// A correctly signed webhook whose body is not an event is the producer's mistake: a 4xx problem
/// that says what was wrong, never a 500 (which the producer would retry until the delivery dies).
@Suite("Webhook receivers: malformed but signed bodies")
struct MalformedWebhookTests {
    static let bodies: [(name: String, body: String, says: String)] = [
        ("not JSON", "this is not json", "the body"),
        ("JSON without type", #"{"timestamp":"2026-01-01T00:00:00Z","data":{}}"#, "type is required"),
        ("type is not a string", #"{"type":5,"timestamp":"2026-01-01T00:00:00Z","data":{}}"#, "type must be"),
        ("an array", "[1,2,3]", "the body"),
        ("no timestamp", #"{"type":"chat.thread.tasks_completed","data":{}}"#, "timestamp is required"),
    ]

    /// A type the receiver handles, with data that does not fit it.
    static let wrongData: [String: String] = [
        "/v1/inbound/chat-events": #"{"type":"chat.thread.tasks_completed","timestamp":"2026-01-01T00:00:00Z","data":{"x":1}}"#,
        "/v1/inbound/account-events": #"{"type":"account.access_updated","timestamp":"2026-01-01T00:00:00Z","data":[]}"#,
    ]

    @Test("every receiver answers 400 problem+json naming what was wrong", arguments: ["/v1/inbound/chat-events", "/v1/inbound/account-events"])
    func malformed(path: String) async throws {
        try await TestStorage.with(.sqlite) { storage in
            let configuration = try TestConfiguration.make(.pipeline, storage: storage)
            let app = try await PipelineService.buildApplication(configuration)
            let subscription = path.hasSuffix("chat-events") ? "pipeline-service.chat" : "pipeline-service.directory"
            let key = try #require(WebhookSecret.key(of: try await InboundSecrets.read(storage, service: .pipeline, subscription: subscription)))
            try await app.test(.router) { client in
                let samples = Self.bodies + [("known type, wrong data", Self.wrongData[path] ?? "", "does not match its schema")]
                for (index, sample) in samples.enumerated() {
                    let id = "msg_malformed_\(index)"
                    let timestamp = Int(Date().timeIntervalSince1970)
                    let headers: HTTPFields = [
                        .contentType: "application/json",
                        HTTPField.Name("webhook-id")!: id,
                        HTTPField.Name("webhook-timestamp")!: "\(timestamp)",
                        HTTPField.Name("webhook-signature")!: WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: Data(sample.body.utf8)),
                    ]
                    try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: sample.body)) { response in
                        let detail = response.json["detail"] as? String ?? ""
                        #expect(response.status == .badRequest, "\(sample.name): \(response.status) \(detail)")
                        #expect(response.headers[.contentType] == "application/problem+json", "\(sample.name)")
                        let saysWhat = detail.contains(sample.says) || sample.says == "the body" && !detail.isEmpty
                        #expect(saysWhat, "\(sample.name): \(detail)")
                    }
                }
            }
        }
    }
}
