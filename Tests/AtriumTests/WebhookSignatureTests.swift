@testable import AtriumRuntime
import Foundation
import Testing

@Suite("Standard Webhooks signatures")
struct WebhookSignatureTests {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp = 1_614_265_330
    let body = Data(#"{"test": 2432232314}"#.utf8)

    @Test("matches the Standard Webhooks reference vector")
    func referenceVector() throws {
        let key = try #require(WebhookSecret.key(of: secret))
        #expect(WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: body)
            == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("accepts a fresh, correctly signed request, also among several signatures")
    func acceptsValid() throws {
        let key = try #require(WebhookSecret.key(of: secret))
        let now = Date(timeIntervalSince1970: TimeInterval(timestamp + 10))
        let signature = WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: body)
        try WebhookSignature.verify(key: key, id: id, timestamp: String(timestamp), signature: signature, body: body, now: now)
        try WebhookSignature.verify(
            key: key, id: id, timestamp: String(timestamp), signature: "v1,bm90IGl0 \(signature)", body: body, now: now)
    }

    @Test("refuses a forged signature, a changed body and another id")
    func refusesForgery() throws {
        let key = try #require(WebhookSecret.key(of: secret))
        let other = try #require(WebhookSecret.key(of: WebhookSecret.generate()))
        let now = Date(timeIntervalSince1970: TimeInterval(timestamp))
        let forged = WebhookSignature.sign(key: other, id: id, timestamp: timestamp, body: body)
        #expect(throws: RuntimeError.self) {
            try WebhookSignature.verify(key: key, id: id, timestamp: String(timestamp), signature: forged, body: body, now: now)
        }
        let genuine = WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: body)
        #expect(throws: RuntimeError.self) {
            try WebhookSignature.verify(key: key, id: id, timestamp: String(timestamp), signature: genuine,
                                        body: Data(#"{"test": 1}"#.utf8), now: now)
        }
        #expect(throws: RuntimeError.self) {
            try WebhookSignature.verify(key: key, id: "msg_other", timestamp: String(timestamp), signature: genuine, body: body, now: now)
        }
    }

    @Test("refuses a replay whose timestamp is outside the five-minute window", arguments: [-301, 301, -3600])
    func refusesReplay(offset: Int) throws {
        let key = try #require(WebhookSecret.key(of: secret))
        let signature = WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: body)
        let now = Date(timeIntervalSince1970: TimeInterval(timestamp - offset))
        #expect(throws: RuntimeError.self) {
            try WebhookSignature.verify(key: key, id: id, timestamp: String(timestamp), signature: signature, body: body, now: now)
        }
    }

    @Test("generated secrets are usable and never repeat; malformed ones are not")
    func secrets() {
        #expect(WebhookSecret.key(of: WebhookSecret.generate()) != nil)
        #expect(WebhookSecret.generate() != WebhookSecret.generate())
        #expect(WebhookSecret.key(of: "whsec_short") == nil)
        #expect(WebhookSecret.key(of: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == nil)
    }
}
