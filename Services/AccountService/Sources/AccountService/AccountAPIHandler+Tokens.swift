import AccountAPI
import AtriumRuntime
import Foundation

/// The signing keys, and tokens for Atrium's services.
extension AccountAPIHandler {
    func getSigningKeys(_ input: Operations.GetSigningKeys.Input) async throws -> Operations.GetSigningKeys.Output {
        let keys = sessions.signer.jwks.keys.map {
            Components.Schemas.Jwk(kty: .okp, crv: .ed25519, x: $0.x, kid: $0.kid, use: .sig, alg: .edDSA)
        }
        return .ok(.init(body: .json(.init(keys: keys))))
    }

    /// A service proves who it is with its own credential and gets a token for one audience.
    func issueServiceToken(_ input: Operations.IssueServiceToken.Input) async throws -> Operations.IssueServiceToken.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        guard ServiceCredential.matches(body.credential, root: accountSecret, for: body.service) else {
            throw AccountError.badServiceCredential
        }
        let token = try await sessions.signer.issue(
            for: Caller(kind: .service, subject: body.service, firmID: nil), audience: body.audience.rawValue)
        return .ok(.init(body: .json(.init(accessToken: token, tokenType: .bearer, expiresIn: Int(sessions.signer.lifetime)))))
    }
}
