/// The five Atrium services.
public enum ServiceName: String, Sendable, CaseIterable, Codable {
    case account
    case chat
    case pipeline
    case notify
    case doc

    /// The port the service listens on locally unless told otherwise.
    public var defaultPort: Int {
        switch self {
        case .account: 8081
        case .chat: 8082
        case .pipeline: 8083
        case .notify: 8084
        case .doc: 8085
        }
    }

    /// The one executable that runs every service (Tools/atrium-server), given the service's
    /// raw value as its argument: `atrium-server chat`.
    public static let serverExecutable = "atrium-server"

    /// The name used in logs, container names and service tokens, e.g. `chat-service`.
    public var displayName: String { "\(rawValue)-service" }
}
