import AccountService
import ArgumentParser
import AtriumRuntime
import Foundation
import JWTKit

/// `atrium bench-tokens`: verifications per second of one access token, EdDSA as every service
/// now verifies it against HS256 as it did with the old shared secret, in the same process.
struct BenchTokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-tokens", abstract: "Measure token verification: EdDSA (now) against HS256 (before), same run.")

    @Option(help: "Verifications per scheme.")
    var count = 20_000

    func run() async throws {
        let caller = Caller(kind: .member, subject: "mem_bench", firmID: "firm_bench", role: .owner, rights: ["view_all_accounts"])
        let root = String(repeating: "b", count: 40)
        let signer = try await TokenSigner(accountSecret: root)
        let verifier = await TokenVerifier(audience: "chat-service", source: .keys(signer.publicKeys))
        let hmac = JWTKeyCollection()
        await hmac.add(hmac: HMACKey(from: root), digestAlgorithm: .sha256)
        // Distinct tokens, so the EdDSA verifier's memory of verified tokens does not answer.
        var edTokens: [String] = []
        var hsTokens: [String] = []
        for index in 0..<(count + 500) {
            var someone = caller
            someone.subject = "mem_\(index)"
            edTokens.append(try await signer.issue(for: someone))
            hsTokens.append(try await hmac.sign(AccessClaims(caller: someone, audience: ["atrium"], now: Date(), lifetime: 900)))
        }
        var next = 0
        let hs = try await rate {
            _ = try await hmac.verify(hsTokens[next], as: AccessClaims.self)
            next += 1
        }
        next = 0
        let ed = try await rate {
            _ = try await verifier.verify(edTokens[next])
            next += 1
        }
        let repeated = try await rate { _ = try await verifier.verify(edTokens[0]) }
        say(String(format: "HS256 verification, each token new (the old shared secret): %.0f/s", hs))
        say(String(format: "EdDSA verification, each token new (key id, signature, claims, audience): %.0f/s → %.2f of HS256", ed, ed / hs))
        say(String(format: "EdDSA, a token seen before (what every later request of a session costs): %.0f/s → %.1f× HS256", repeated, repeated / hs))
    }

    private func rate(_ body: () async throws -> Void) async throws -> Double {
        // The first 500 calls warm up; `count` more are timed.
        for _ in 0..<500 { try await body() }
        let started = ContinuousClock.now
        for _ in 0..<count { try await body() }
        let elapsed = ContinuousClock.now - started
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
