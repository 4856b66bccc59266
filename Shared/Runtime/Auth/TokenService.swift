public import Foundation
import JWTKit

/// The claims inside every Atrium access token.
struct AccessClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var iss: IssuerClaim
    var kind: Caller.Kind
    var firm: String?
    var role: Caller.Role?
    var rights: [String]?
    /// Present only on read-only "view the portal as this contact" tokens.
    var view: PortalView?
    /// A member's standing (absent means 0).
    var stn: Int64?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == TokenService.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer")
        }
    }
}

/// Signs and verifies Atrium access tokens (HS256 with the deployment's shared secret).
///
/// AccountService issues member and contact tokens; every service verifies them locally, and
/// mints short-lived service tokens for its own calls to other services.
public struct TokenService: Sendable {
    static let issuer = "atrium"
    private let keys: JWTKeyCollection
    /// How long an access token lives.
    public let accessTokenLifetime: TimeInterval

    /// - Parameter secret: at least 32 bytes of key material shared by the deployment.
    public init(secret: String, accessTokenLifetime: TimeInterval = 900) async throws {
        guard secret.utf8.count >= 32 else {
            throw ConfigurationError.invalid(key: "jwt.secret", why: "must be at least 32 bytes long")
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.accessTokenLifetime = accessTokenLifetime
    }

    /// A signed access token for `caller`.
    public func issue(for caller: Caller, now: Date = Date()) async throws -> String {
        let claims = AccessClaims(
            sub: .init(value: caller.subject),
            exp: .init(value: now.addingTimeInterval(accessTokenLifetime)),
            iat: .init(value: now),
            iss: .init(value: Self.issuer),
            kind: caller.kind,
            firm: caller.firmID,
            role: caller.role,
            rights: caller.rights.isEmpty ? nil : caller.rights.sorted(),
            view: caller.portalView,
            stn: caller.standing == 0 ? nil : caller.standing
        )
        return try await keys.sign(claims)
    }

    /// The caller a token names; throws `RuntimeError.unauthenticated` for a forged, expired or malformed one.
    public func verify(_ token: String) async throws -> Caller {
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch {
            throw RuntimeError.unauthenticated("The bearer token is invalid or expired.")
        }
        return Caller(
            kind: claims.kind,
            subject: claims.sub.value,
            firmID: claims.firm,
            role: claims.role,
            rights: Set(claims.rights ?? []),
            issuedAt: claims.iat.value,
            portalView: claims.view,
            standing: claims.stn ?? 0
        )
    }

    /// A token for service `name` to call other services with.
    public func serviceToken(for name: String) async throws -> String {
        try await issue(for: Caller(kind: .service, subject: name, firmID: nil))
    }
}
