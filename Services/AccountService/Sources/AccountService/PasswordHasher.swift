import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password hashing: bcrypt over an HMAC-SHA256 pre-hash, so every character of a long passphrase
/// counts (bcrypt alone reads 72 bytes and ignores the rest).
///
/// Stored form: `sha256-bcrypt$` + the bcrypt string. A hash without that marker is plain bcrypt of
/// the password (written before the pre-hash), and still verifies.
struct PasswordHasher: Sendable {
    let cost: Int
    /// Runs the hashes, so that a flood of sign-ins waits its turn instead of taking every core.
    let limiter: HashingLimiter

    init(cost: Int, limiter: HashingLimiter) {
        self.cost = cost
        self.limiter = limiter
    }

    func hash(_ password: String) async throws -> String {
        let cost = UInt8(cost)
        let input = Self.prehash(password)
        return try await limiter.run { Self.marker + Bcrypt.hash(input, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        if hash.hasPrefix(Self.marker) {
            let input = Self.prehash(password)
            let bcrypt = String(hash.dropFirst(Self.marker.count))
            return try await limiter.run { Bcrypt.verify(input, hash: bcrypt) }
        }
        // A hash from before the pre-hash: bcrypt of the password itself (then at most 72 bytes).
        return try await limiter.run { Bcrypt.verify(password, hash: hash) }
    }

    /// Base64 of HMAC-SHA256 over the NFC form of the password: 44 ASCII characters, well inside
    /// bcrypt's 72 bytes and free of the NUL bytes a raw digest could hold (bcrypt stops at NUL).
    /// The fixed key keeps the value from matching a plain SHA-256 of the password leaked elsewhere.
    static func prehash(_ password: String) -> String {
        let normalized = password.precomposedStringWithCanonicalMapping
        let mac = HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: prehashKey)
        return Data(mac).base64EncodedString()
    }

    static let marker = "sha256-bcrypt$"
    private static let prehashKey = SymmetricKey(data: Data("atrium.password.prehash.v1".utf8))

    /// Length limits in Unicode code points, as JSON Schema counts `minLength` and `maxLength`
    /// (the AccountAPI contract says the same numbers).
    static let minCharacters = 10
    static let maxCharacters = 200
}
