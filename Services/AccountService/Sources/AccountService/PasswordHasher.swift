import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on the blocking thread pool so a slow hash never stalls an event loop.
struct PasswordHasher: Sendable {
    let cost: Int

    func hash(_ password: String) async throws -> String {
        let cost = UInt8(cost)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated.
    static let maxBytes = 72
    static let minCharacters = 10
}
