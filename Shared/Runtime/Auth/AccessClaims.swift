public import Foundation
public import JWTKit
import Crypto

/// The claims inside every Atrium access token.
///
/// `aud` says who may accept it: `atrium` (every service) on the tokens of team members and
/// contacts; exactly one service's name (`chat-service`) on a service token, so a token one
/// service obtained to call another is refused everywhere else.
public struct AccessClaims: JWTPayload {
    public static let issuer = "atrium"
    /// The audience of member and contact tokens: every Atrium service.
    public static let everyService = "atrium"

    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    var kind: Caller.Kind
    var firm: String?
    var role: Caller.Role?
    var rights: [String]?
    /// Present only on read-only "view the portal as this contact" tokens.
    var view: PortalView?
    /// A member's standing (absent means 0).
    var stn: Int64?

    /// The claims of a token for `caller`, accepted by `audience`, valid for `lifetime` from `now`.
    public init(caller: Caller, audience: [String], now: Date, lifetime: TimeInterval) {
        sub = .init(value: caller.subject)
        exp = .init(value: now.addingTimeInterval(lifetime))
        iat = .init(value: now)
        iss = .init(value: Self.issuer)
        aud = .init(value: audience)
        kind = caller.kind
        firm = caller.firmID
        role = caller.role
        rights = caller.rights.isEmpty ? nil : caller.rights.sorted()
        view = caller.portalView
        stn = caller.standing == 0 ? nil : caller.standing
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer")
        }
    }

    /// Whether `service` (`chat-service`) may accept this token.
    func isMeant(for service: String) -> Bool {
        aud.value.contains(service) || (kind != .service && aud.value.contains(Self.everyService))
    }

    var expires: Date { exp.value }

    var caller: Caller {
        Caller(kind: kind, subject: sub.value, firmID: firm, role: role, rights: Set(rights ?? []), issuedAt: iat.value,
               portalView: view, standing: stn ?? 0, expiresAt: exp.value)
    }
}

/// Key ids and key text shared by the signer (AccountService) and every verifier.
public enum SigningKeyText {
    /// The `kid` of a public key: the first 16 characters of the base64url SHA-256 of its raw bytes.
    public static func keyID(of publicKey: EdDSA.PublicKey) -> String {
        String(base64URL(Data(SHA256.hash(data: publicKey.rawRepresentation))).prefix(16))
    }

    /// Unpadded base64url.
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Bytes of unpadded (or padded) base64url text; nil if it is not base64url.
    public static func bytes(ofBase64URL text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    /// Public keys from `jwt.verification.keys`: a comma-separated list of base64url Ed25519 keys.
    public static func publicKeys(_ text: String) throws -> [EdDSA.PublicKey] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { part in
            guard let bytes = bytes(ofBase64URL: part), bytes.count == 32,
                let key = try? EdDSA.PublicKey(x: base64URL(bytes), curve: .ed25519) else {
                throw ConfigurationError.invalid(key: "jwt.verification.keys", why: "must be base64url Ed25519 public keys (32 bytes), comma-separated")
            }
            return key
        }
    }
}
