/// A configuration value that is missing or unusable; the service refuses to start with it.
public enum ConfigurationError: Error, CustomStringConvertible {
    case missing(key: String)
    case invalid(key: String, why: String)

    public var description: String {
        switch self {
        case .missing(let key): "Configuration \(key) is required (set \(ServiceConfiguration.environmentName(of: key)))."
        case .invalid(let key, let why): "Configuration \(key) (\(ServiceConfiguration.environmentName(of: key))) \(why)."
        }
    }
}
