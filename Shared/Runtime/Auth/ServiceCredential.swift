import Foundation
import Crypto

/// The credential with which one Atrium service (or the launcher) obtains service tokens from
/// AccountService: an HMAC of its name under the deployment's root secret, which only
/// AccountService and whoever provisions the deployment hold. Each service is given its own
/// credential and nothing from which another's could be made.
public enum ServiceCredential {
    /// The credential of `name` (`chat-service`).
    public static func derive(root: String, for name: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("atrium-service-credential:\(name)".utf8), using: SymmetricKey(data: Data(root.utf8)))
        return "atr_" + SigningKeyText.base64URL(Data(mac))
    }

    /// Whether `credential` is `name`'s, compared in constant time.
    public static func matches(_ credential: String, root: String, for name: String) -> Bool {
        let expected = Array(derive(root: root, for: name).utf8)
        let given = Array(credential.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
