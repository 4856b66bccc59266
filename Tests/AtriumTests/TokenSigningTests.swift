import AccountService
import AsyncHTTPClient
import AtriumRuntime
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

/// Access tokens: AccountService alone signs them (Ed25519); every service verifies them with its
/// public keys and accepts only tokens meant for it.
@Suite("Tokens: EdDSA signing, local verification, audiences, key rotation")
struct TokenSigningTests {
    static let member = Caller(kind: .member, subject: "mem_1", firmID: "firm_1", role: .admin, rights: ["view_all_accounts"])

    @Test("a member's token verifies in every service, with every claim intact")
    func memberTokens() async throws {
        let signer = try await TestConfiguration.signer()
        let issuedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let token = try await signer.issue(for: Self.member, now: issuedAt)
        var expected = Self.member
        expected.issuedAt = issuedAt
        expected.expiresAt = issuedAt.addingTimeInterval(signer.lifetime)
        for service in ServiceName.allCases {
            #expect(try await TestConfiguration.verifier(for: service).verify(token) == expected, "\(service)")
        }
        let header = try #require(SigningKeyText.bytes(ofBase64URL: String(token.split(separator: ".")[0])))
        let fields = try JSON.object(header)
        #expect(fields["alg"] as? String == "EdDSA")
        #expect(fields["kid"] as? String == SigningKeyText.keyID(of: signer.publicKeys[0]))
    }

    @Test("a service token is accepted by the one service it names and refused by every other")
    func audiences() async throws {
        let signer = try await TestConfiguration.signer()
        let token = try await signer.issue(for: Caller(kind: .service, subject: "pipeline-service", firmID: nil), audience: "chat-service")
        #expect(try await TestConfiguration.verifier(for: .chat).verify(token).subject == "pipeline-service")
        for other in ServiceName.allCases where other != .chat {
            await #expect(throws: RuntimeError.self, "\(other) accepted a token for chat-service") {
                try await TestConfiguration.verifier(for: other).verify(token)
            }
        }
        // A service token may not pass for a member's by naming every service.
        let everywhere = try await signer.issue(for: Caller(kind: .service, subject: "pipeline-service", firmID: nil))
        await #expect(throws: RuntimeError.self) { try await TestConfiguration.verifier(for: .chat).verify(everywhere) }
    }

    @Test("tokens signed by any other key, expired, malformed or HS256 are refused")
    func forgeries() async throws {
        let verifier = try await TestConfiguration.verifier(for: .chat)
        let stranger = try await TokenSigner(accountSecret: "another-secret-0123456789abcdef0123456789")
        await #expect(throws: RuntimeError.self) { try await verifier.verify(try await stranger.issue(for: Self.member)) }
        let expired = try await TestConfiguration.signer().issue(for: Self.member, now: Date().addingTimeInterval(-3600))
        await #expect(throws: RuntimeError.self) { try await verifier.verify(expired) }
        for junk in ["not.a.jwt", "", "a.b", "eyJhbGciOiJub25lIn0.e30."] {
            await #expect(throws: RuntimeError.self, "\(junk)") { try await verifier.verify(junk) }
        }
        // The old shared-secret scheme, and an HS256 token naming the real key id: both refused.
        let kid = SigningKeyText.keyID(of: try await TestConfiguration.signer().publicKeys[0])
        let hmac = JWTKeyCollection()
        await hmac.add(hmac: HMACKey(from: TestConfiguration.rootSecret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        let claims = AccessClaims(caller: Self.member, audience: ["atrium"], now: Date(), lifetime: 900)
        let confused = try await hmac.sign(claims, kid: JWKIdentifier(string: kid))
        await #expect(throws: RuntimeError.self) { try await verifier.verify(confused) }
    }

    @Test("rotation: the new key signs, tokens of the previous key verify until it is dropped")
    func rotation() async throws {
        let old = TokenSigner.generateKeyText()
        let new = TokenSigner.generateKeyText()
        let before = try await TokenSigner(accountSecret: TestConfiguration.rootSecret, signingKeys: old)
        let during = try await TokenSigner(accountSecret: TestConfiguration.rootSecret, signingKeys: "\(new),\(old)")
        let after = try await TokenSigner(accountSecret: TestConfiguration.rootSecret, signingKeys: new)
        let oldToken = try await before.issue(for: Self.member)
        let newToken = try await during.issue(for: Self.member)
        let kids = try [new, old].map { SigningKeyText.keyID(of: try TokenSigner.publicKeys(accountSecret: "", signingKeys: $0)[0]) }
        #expect(during.jwks.keys.map(\.kid) == kids, "the JWKS lists the new key first and keeps the old one")
        let verifyDuring = await TokenVerifier(audience: "chat-service", source: .keys(during.publicKeys))
        #expect(try await verifyDuring.verify(oldToken).subject == "mem_1")
        #expect(try await verifyDuring.verify(newToken).subject == "mem_1")
        let verifyAfter = await TokenVerifier(audience: "chat-service", source: .keys(after.publicKeys))
        await #expect(throws: RuntimeError.self) { try await verifyAfter.verify(oldToken) }
        #expect(try await verifyAfter.verify(newToken).subject == "mem_1")
        #expect(throws: ConfigurationError.self) { try TokenSigner.publicKeys(accountSecret: "", signingKeys: "c2hvcnQ") }
    }

    @Test("the first tokens a service sees at once all verify while it is still reading the JWKS")
    func concurrentFirstReads() async throws {
        let signer = try await TestConfiguration.signer()
        let token = try await signer.issue(for: Self.member)
        let jwks = try JSONEncoder().encode(signer.jwks)
        let router = Router()
        router.get("/.well-known/jwks.json") { _, _ -> Response in
            // Slow enough that every request below arrives while the first read is under way.
            try await Task.sleep(for: .milliseconds(200))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: jwks)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port ?? 0)/.well-known/jwks.json"
            let verifier = await TokenVerifier(audience: "doc-service", source: .jwks(url: url, client: HTTPClient.shared))
            let verified = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await verifier.verify(token).subject } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(verified == Array(repeating: "mem_1", count: 8))
        }
    }

    @Test("a verified token is remembered until it expires, and refused from then on")
    func rememberedUntilExpiry() async throws {
        let signer = try await TestConfiguration.signer()
        let verifier = try await TestConfiguration.verifier(for: .chat)
        let token = try await signer.issue(for: Self.member, now: Date().addingTimeInterval(-890))  // 10 s left
        #expect(try await verifier.verify(token).subject == "mem_1")
        #expect(try await verifier.verify(token).subject == "mem_1", "the remembered answer")
        await #expect(throws: RuntimeError.self, "past its expiry, the remembered token is refused") {
            try await verifier.verify(token, now: Date().addingTimeInterval(20))
        }
        // A token for another service is never remembered as valid for this one.
        let other = try await signer.issue(for: Caller(kind: .service, subject: "x", firmID: nil), audience: "doc-service")
        for _ in 0..<2 { await #expect(throws: RuntimeError.self) { try await verifier.verify(other) } }
    }
}
