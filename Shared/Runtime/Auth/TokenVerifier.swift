public import AsyncHTTPClient
public import Foundation
public import JWTKit
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// Verifies Atrium access tokens locally with AccountService's public keys.
///
/// Only AccountService holds a signing key. Every other service learns the public keys from its
/// JWKS document (`GET /.well-known/jwks.json`), fetched on first use and again when a token names
/// a key id not seen yet (a rotation), at most once per `refetchInterval`. Keys may also be given
/// outright (`jwt.verification.keys`, and AccountService's own), and then nothing is fetched.
public final class TokenVerifier: Sendable {
    /// Where the keys come from.
    public enum Source: Sendable {
        case keys([EdDSA.PublicKey])
        case jwks(url: String, client: HTTPClient)
    }

    /// The service whose `aud` a token must carry (or `atrium`, on member and contact tokens).
    public let audience: String
    let source: Source
    let refetchInterval: Duration
    private let keys = JWTKeyCollection()
    private let state = Mutex(State())
    /// Tokens already verified, with their expiry: a client sends the same token with every
    /// request for its whole life, and a signature check costs far more than the route behind it.
    private let verified = Mutex<[String: (caller: Caller, expires: Date)]>([:])
    static let verifiedLimit = 4096

    struct State {
        var known: Set<String> = []
        var lastFetch: ContinuousClock.Instant?
        /// The read under way: concurrent callers wait for it rather than being refused meanwhile.
        var inFlight: Task<Void, any Error>?
    }

    public init(audience: String, source: Source, refetchInterval: Duration = .seconds(10)) async {
        self.audience = audience
        self.source = source
        self.refetchInterval = refetchInterval
        if case .keys(let given) = source {
            for key in given { await add(key) }
        }
    }

    /// The caller a token names; throws `RuntimeError.unauthenticated` for a token that is forged,
    /// expired, malformed, signed by an unknown key or meant for another service.
    public func verify(_ token: String, now: Date = Date()) async throws -> Caller {
        if let hit = verified.withLock({ $0[token] }) {
            guard hit.expires > now else {
                verified.withLock { _ = $0.removeValue(forKey: token) }
                throw Self.invalid
            }
            return hit.caller
        }
        let caller = try await verifySignature(token)
        verified.withLock { cache in
            // Bounded: when full, start again rather than track ages (live tokens are re-verified once).
            if cache.count >= Self.verifiedLimit { cache.removeAll(keepingCapacity: true) }
            cache[token] = (caller.caller, caller.expires)
        }
        return caller.caller
    }

    /// The full check: key id known (read the JWKS if not), signature, issuer, expiry, audience.
    private func verifySignature(_ token: String) async throws -> (caller: Caller, expires: Date) {
        guard let kid = Self.keyID(of: token) else { throw Self.invalid }
        if !state.withLock({ $0.known.contains(kid) }) { try await refetch() }
        guard state.withLock({ $0.known.contains(kid) }) else { throw Self.invalid }
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch {
            throw Self.invalid
        }
        guard claims.isMeant(for: audience) else {
            throw RuntimeError.unauthenticated("The bearer token is meant for another service.")
        }
        return (claims.caller, claims.expires)
    }

    static var invalid: RuntimeError { .unauthenticated("The bearer token is invalid or expired.") }

    private func add(_ key: EdDSA.PublicKey) async {
        let kid = SigningKeyText.keyID(of: key)
        await keys.add(eddsa: key, kid: JWKIdentifier(string: kid))
        state.withLock { _ = $0.known.insert(kid) }
    }

    /// Reads the JWKS document again, unless it was read moments ago; joins a read under way.
    private func refetch() async throws {
        guard case .jwks(let url, let client) = source else { return }
        let read: Task<Void, any Error>? = state.withLock { state in
            if let running = state.inFlight { return running }
            if let last = state.lastFetch, ContinuousClock.now - last < refetchInterval { return nil }
            state.lastFetch = .now
            let task = Task {
                defer { self.state.withLock { $0.inFlight = nil } }
                try await self.fetch(url, client)
            }
            state.inFlight = task
            return task
        }
        try await read?.value
    }

    /// Reads the JWKS document and adds its keys.
    private func fetch(_ url: String, _ client: HTTPClient) async throws {
        let document: JWKSDocument
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else { throw RuntimeError.unavailable("AccountService answered \(response.status.code)") }
            document = try JSONDecoder().decode(JWKSDocument.self, from: Data(buffer: body))
        } catch {
            // Let the next request try again at once: the keys are not there yet.
            state.withLock { $0.lastFetch = nil }
            throw RuntimeError.unavailable("The token keys cannot be read from AccountService yet; try again shortly.")
        }
        for jwk in document.keys where jwk.kty == "OKP" && jwk.crv == "Ed25519" {
            if let key = try? EdDSA.PublicKey(x: jwk.x, curve: .ed25519) { await add(key) }
        }
    }

    /// The `kid` in a compact JWS header, if there is one.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".", maxSplits: 1).first,
            let bytes = SigningKeyText.bytes(ofBase64URL: String(header)),
            let object = try? JSONDecoder().decode(Header.self, from: bytes) else { return nil }
        return object.kid
    }

    private struct Header: Decodable {
        var kid: String?
    }
}

/// A JWKS document as AccountService publishes it.
public struct JWKSDocument: Codable, Sendable {
    public struct Key: Codable, Sendable {
        public var kty: String
        public var crv: String
        public var x: String
        public var kid: String
        public var use: String?
        public var alg: String?

        public init(publicKey: EdDSA.PublicKey) {
            kty = "OKP"
            crv = "Ed25519"
            x = SigningKeyText.base64URL(publicKey.rawRepresentation)
            kid = SigningKeyText.keyID(of: publicKey)
            use = "sig"
            alg = "EdDSA"
        }
    }

    public var keys: [Key]

    public init(keys: [Key]) {
        self.keys = keys
    }
}
