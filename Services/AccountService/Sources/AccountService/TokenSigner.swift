public import AtriumRuntime
import Crypto
public import Foundation
public import JWTKit

/// Signs every Atrium access token: AccountService alone holds these keys.
///
/// The keys come from `jwt.signing.keys` (base64url Ed25519 seeds, the first signing, the rest
/// still published so tokens they signed verify until they expire) or, when unset, one key
/// derived from AccountService's secret.
public struct TokenSigner: Sendable {
    let signing: EdDSA.PrivateKey
    let keys: JWTKeyCollection
    /// Every public key that verifies a live token, the signing key's first.
    public let publicKeys: [EdDSA.PublicKey]
    /// How long member, contact and service tokens live.
    public let lifetime: TimeInterval

    public init(accountSecret: String, signingKeys: String? = nil, lifetime: TimeInterval = 900) async throws {
        let privateKeys = try Self.privateKeys(accountSecret: accountSecret, signingKeys: signingKeys)
        guard let first = privateKeys.first else {
            throw ConfigurationError.invalid(key: "jwt.signing.keys", why: "must name at least one key")
        }
        signing = first
        publicKeys = privateKeys.map(\.publicKey)
        self.lifetime = lifetime
        keys = JWTKeyCollection()
        await keys.add(eddsa: first, kid: JWKIdentifier(string: SigningKeyText.keyID(of: first.publicKey)))
    }

    /// A token for `caller`: every service accepts a member's or contact's, and a service's
    /// only the one service in `audience`.
    public func issue(for caller: Caller, audience: String = AccessClaims.everyService, now: Date = Date()) async throws -> String {
        try await sign(AccessClaims(caller: caller, audience: [audience], now: now, lifetime: lifetime))
    }

    /// Signs `claims` as they are, with the current key.
    public func sign(_ claims: AccessClaims) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: SigningKeyText.keyID(of: signing.publicKey)))
    }

    /// The public keys a signer made from these settings publishes, without making one.
    public static func publicKeys(accountSecret: String, signingKeys: String? = nil) throws -> [EdDSA.PublicKey] {
        try privateKeys(accountSecret: accountSecret, signingKeys: signingKeys).map(\.publicKey)
    }

    static func privateKeys(accountSecret: String, signingKeys: String?) throws -> [EdDSA.PrivateKey] {
        try signingKeys.map(parse) ?? [try derived(from: accountSecret)]
    }

    /// The JWKS document of `publicKeys`.
    public var jwks: JWKSDocument {
        JWKSDocument(keys: publicKeys.map(JWKSDocument.Key.init(publicKey:)))
    }

    /// The key derived from AccountService's secret, for deployments that set no `jwt.signing.keys`.
    static func derived(from secret: String) throws -> EdDSA.PrivateKey {
        let seed = HMAC<SHA256>.authenticationCode(for: Data("atrium-jwt-signing-key:1".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return EdDSA.PrivateKey(backing: try Curve25519.Signing.PrivateKey(rawRepresentation: Data(seed)))
    }

    static func parse(_ text: String) throws -> [EdDSA.PrivateKey] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { part in
            guard let seed = SigningKeyText.bytes(ofBase64URL: part), seed.count == 32,
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
                throw ConfigurationError.invalid(key: "jwt.signing.keys", why: "must be base64url Ed25519 private keys (32-byte seeds), comma-separated")
            }
            return EdDSA.PrivateKey(backing: key)
        }
    }

    /// A new signing key as `jwt.signing.keys` takes it.
    public static func generateKeyText() -> String {
        SigningKeyText.base64URL(Curve25519.Signing.PrivateKey().rawRepresentation)
    }
}
