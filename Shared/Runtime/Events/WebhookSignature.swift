public import Foundation
public import Crypto

/// Standard Webhooks secrets: `whsec_` followed by the base64 of the key bytes.
public enum WebhookSecret {
    static let prefix = "whsec_"

    /// A new random secret (24 bytes of key).
    public static func generate() -> String {
        prefix + Data(SymmetricKey(size: .init(bitCount: 192)).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    /// The key bytes of a secret; nil unless it is `whsec_` + base64 of 24 to 64 bytes.
    public static func key(of secret: String) -> SymmetricKey? {
        guard secret.hasPrefix(prefix), let bytes = Data(base64Encoded: String(secret.dropFirst(prefix.count))),
            (24...64).contains(bytes.count)
        else { return nil }
        return SymmetricKey(data: bytes)
    }
}

/// Signing and verifying webhook requests the Standard Webhooks way.
public enum WebhookSignature {
    /// How far a `webhook-timestamp` may be from now before the request is refused as a replay.
    public static let tolerance: TimeInterval = 300

    /// The `webhook-signature` header value: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
    public static func sign(key: SymmetricKey, id: String, timestamp: Int, body: some DataProtocol) -> String {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Data("\(id).\(timestamp).".utf8))
        hmac.update(data: Data(body))
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// Checks the three headers against `body`; throws `RuntimeError.invalidSignature` with the reason.
    public static func verify(
        key: SymmetricKey, id: String, timestamp: String, signature: String, body: some DataProtocol, now: Date = Date()
    ) throws {
        guard !id.isEmpty, id.utf8.count <= 200 else { throw RuntimeError.invalidSignature("webhook-id is missing or too long.") }
        guard let seconds = Int(timestamp) else { throw RuntimeError.invalidSignature("webhook-timestamp is not a Unix time.") }
        let age = now.timeIntervalSince1970 - TimeInterval(seconds)
        guard abs(age) <= tolerance else {
            throw RuntimeError.invalidSignature("webhook-timestamp is \(Int(age)) s from now; at most \(Int(tolerance)) s is accepted.")
        }
        let expected = Data(sign(key: key, id: id, timestamp: seconds, body: body).utf8)
        // The header may carry several space-separated signatures (key rotation); one match is enough.
        let matches = signature.split(separator: " ").contains { candidate in
            constantTimeEqual(Data(candidate.utf8), expected)
        }
        guard matches else { throw RuntimeError.invalidSignature("webhook-signature does not match the body.") }
    }

    private static func constantTimeEqual(_ lhs: Data, _ rhs: Data) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
