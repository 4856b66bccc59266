/// The shape of a deployment: where each service listens, how the others reach it, and the
/// settings they share. Written once; `atrium up`, `atrium compose` (and so `compose/`) and the
/// integration tests all derive their processes' environments from it.
public struct Topology: Sendable {
    /// Where one service listens and how the others reach it.
    public struct Endpoint: Sendable, Equatable {
        public var bindHost: String
        public var port: Int
        /// The base URL other services use, e.g. `http://127.0.0.1:8082` or `http://chat-service:8082`.
        public var url: String
    }

    public var endpoints: [ServiceName: Endpoint]
    public var dataDirectory: String
    /// A `postgres://` URL shared by all services (each in its own schema); nil for SQLite.
    public var databaseURL: String?
    /// Prepended to each service's schema name, so several deployments (or tests) can share a database.
    public var schemaPrefix: String
    /// The deployment's root secret: AccountService's own secret, from which each other service's
    /// credential is derived. Nil leaves the secrets to the environment (compose reads them from `.env`).
    public var rootSecret: String?
    /// Further `ATRIUM_*` settings given to every service (log level, retry timings in tests).
    public var sharedSettings: [String: String]

    /// All five services on loopback, on the given ports (the defaults 8081-8085 when nil).
    public static func local(
        ports: [ServiceName: Int] = [:], dataDirectory: String, databaseURL: String? = nil, schemaPrefix: String = "",
        rootSecret: String, sharedSettings: [String: String] = [:]
    ) -> Topology {
        var endpoints: [ServiceName: Endpoint] = [:]
        for service in ServiceName.allCases {
            let port = ports[service] ?? service.defaultPort
            endpoints[service] = Endpoint(bindHost: "127.0.0.1", port: port, url: "http://127.0.0.1:\(port)")
        }
        return Topology(endpoints: endpoints, dataDirectory: dataDirectory, databaseURL: databaseURL,
                        schemaPrefix: schemaPrefix, rootSecret: rootSecret, sharedSettings: sharedSettings)
    }

    /// The containers of `compose/`: each service by its name on its default port, PostgreSQL beside them.
    public static var compose: Topology {
        var endpoints: [ServiceName: Endpoint] = [:]
        for service in ServiceName.allCases {
            endpoints[service] = Endpoint(bindHost: "0.0.0.0", port: service.defaultPort,
                                          url: "http://\(service.displayName):\(service.defaultPort)")
        }
        return Topology(endpoints: endpoints, dataDirectory: "/var/lib/atrium",
                        databaseURL: "postgres://atrium:atrium@postgres:5432/atrium?sslmode=disable",
                        schemaPrefix: "", rootSecret: nil, sharedSettings: [:])
    }

    /// The `ATRIUM_*` environment that makes `service`'s executable play its part in this topology.
    public func environment(for service: ServiceName) -> [String: String] {
        var environment = sharedSettings
        let endpoint = endpoints[service] ?? Endpoint(bindHost: "127.0.0.1", port: service.defaultPort, url: "")
        environment["ATRIUM_HOST"] = endpoint.bindHost
        environment["ATRIUM_PORT"] = String(endpoint.port)
        environment["ATRIUM_DATA_DIR"] = dataDirectory
        for peer in ServiceName.allCases {
            if let url = endpoints[peer]?.url { environment["ATRIUM_\(peer.rawValue.uppercased())_URL"] = url }
        }
        if let databaseURL {
            environment["ATRIUM_DATABASE_URL"] = databaseURL
            environment["ATRIUM_DATABASE_SCHEMA"] = schemaPrefix + service.rawValue
        }
        if let rootSecret {
            // AccountService holds the root; every other service only its own credential.
            if service == .account {
                environment["ATRIUM_ACCOUNT_SECRET"] = rootSecret
            } else {
                environment["ATRIUM_SERVICE_CREDENTIAL"] = ServiceCredential.derive(root: rootSecret, for: service.displayName)
            }
        }
        return environment
    }
}
