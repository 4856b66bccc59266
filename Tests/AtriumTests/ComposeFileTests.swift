import AtriumCluster
import AtriumRuntime
import Foundation
import Testing
import Yams

/// No Docker engine runs here, so the compose file is checked for structure, and for being exactly
/// what the topology generates (the one source `atrium up` and the tests also use).
@Suite("compose/ matches the topology")
struct ComposeFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the committed compose file is the generated one (regenerate with `swift run atrium compose --output compose/docker-compose.yml`)")
    func upToDate() throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent(ComposeFile.path), encoding: .utf8)
        #expect(committed == ComposeFile.render())
    }

    @Test("five services plus PostgreSQL, SMTP and S3, each with a health check, its port and its topology environment")
    func structure() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(ComposeFile.path), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(document["services"] as? [String: Any])
        #expect(Set(services.keys) == Set(ServiceName.allCases.map(\.displayName) + ["postgres", "smtp", "s3"]))
        for service in ServiceName.allCases {
            let entry = try #require(services[service.displayName] as? [String: Any])
            let health = try #require(entry["healthcheck"] as? [String: Any])
            #expect((health["test"] as? [String])?.joined(separator: " ").contains("/health/ready") == true)
            #expect((entry["ports"] as? [String]) == ["\(service.defaultPort):\(service.defaultPort)"])
            let environment = try #require(entry["environment"] as? [String: Any])
            for (key, value) in Topology.compose.environment(for: service) {
                #expect(environment[key] as? String == value, "\(service.displayName) \(key)")
            }
            // No secret in the compose file: each container's are in its own env file (`atrium secrets`).
            #expect(environment.keys.filter { $0.contains("SECRET") || $0.contains("CREDENTIAL") || $0.contains("PASSWORD") || $0.hasSuffix("_KEY") }.isEmpty)
            #expect(entry["env_file"] as? [String] == [ComposeFile.secretFile(service.rawValue)])
            #expect(entry["restart"] as? String == "unless-stopped")
            let dependsOn = try #require(entry["depends_on"] as? [String: Any])
            #expect((dependsOn["postgres"] as? [String: Any])?["condition"] as? String == "service_healthy")
            #expect(dependsOn["s3"] != nil || service != .doc, "DocService waits for its store")
        }
        for name in ["postgres", "smtp", "s3"] {
            let entry = try #require(services[name] as? [String: Any])
            #expect(entry["healthcheck"] != nil && entry["restart"] as? String == "unless-stopped", "\(name)")
            // Each image can be swapped through the environment; its default is a pinned public one.
            let image = try #require(entry["image"] as? String)
            let variable = try #require(ComposeFile.dependencyImages.first { image.hasPrefix("${\($0.key):-") })
            #expect(image == "${\(variable.key):-\(variable.value)}")
        }
        // Nothing of theirs is published but the mailbox's page, on the host's loopback only.
        #expect((services["smtp"] as? [String: Any])?["ports"] as? [String] == ["127.0.0.1:8025:8025"])
        #expect((services["postgres"] as? [String: Any])?["ports"] == nil && (services["s3"] as? [String: Any])?["ports"] == nil)
        let doc = try #require((services["doc-service"] as? [String: Any])?["environment"] as? [String: Any])
        #expect(doc["ATRIUM_BLOB_STORE"] as? String == "s3" && doc["ATRIUM_BLOB_S3_ENDPOINT"] as? String == "${ATRIUM_BLOB_S3_ENDPOINT:-http://s3:9000}")
        #expect((services["s3"] as? [String: Any])?["env_file"] as? [String] == [ComposeFile.secretFile("s3")])
        #expect(!text.contains("atr_") && !text.contains("${ATRIUM_ACCOUNT_SECRET"))
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("compose/Dockerfile").path))
    }

    @Test("atrium secrets: each container's own secrets in its own file, the S3 keys shared by DocService and the store, the same again from the same root")
    func secretFiles() throws {
        let root = String(repeating: "r", count: 40)
        let files = ComposeFile.secretFiles(root: root)
        let entries = files.mapValues { text in
            Dictionary(uniqueKeysWithValues: text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
                let parts = line.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), String(parts[1]))
            })
        }
        #expect(Set(files.keys) == Set((ServiceName.allCases.map(\.rawValue) + ["s3"]).map(ComposeFile.secretFile)))
        #expect(entries[ComposeFile.secretFile("account")] == ["ATRIUM_ACCOUNT_SECRET": root])
        for service in ServiceName.allCases where service != .account {
            let own = try #require(entries[ComposeFile.secretFile(service.rawValue)])
            #expect(own["ATRIUM_SERVICE_CREDENTIAL"] == ServiceCredential.derive(root: root, for: service.displayName))
            #expect(own["ATRIUM_ACCOUNT_SECRET"] == nil && !(files[ComposeFile.secretFile(service.rawValue)] ?? "").contains(root),
                    "only AccountService holds the root secret")
        }
        let doc = try #require(entries[ComposeFile.secretFile("doc")])
        let store = try #require(entries[ComposeFile.secretFile("s3")])
        #expect(store == ["MINIO_ROOT_USER": doc["ATRIUM_BLOB_S3_ACCESS_KEY"] ?? "", "MINIO_ROOT_PASSWORD": doc["ATRIUM_BLOB_S3_SECRET_KEY"] ?? ""])
        // MinIO's rules: a user of 3+ characters, a password of 8+; neither may carry a `/` (SigV4's separator).
        #expect((store["MINIO_ROOT_USER"]?.count ?? 0) >= 3 && (store["MINIO_ROOT_PASSWORD"]?.count ?? 0) >= 8)
        #expect(!(store.values.joined()).contains("/"))
        #expect(files == ComposeFile.secretFiles(root: root))
        #expect(files != ComposeFile.secretFiles(root: String(repeating: "s", count: 40)))
    }

    @Test("the local topology gives every service every peer's URL, its own schema and only its own secret")
    func localTopology() {
        let topology = Topology.local(dataDirectory: "/tmp/x", databaseURL: "postgres://u@h/db", schemaPrefix: "p_", rootSecret: "root")
        for service in ServiceName.allCases {
            let environment = topology.environment(for: service)
            if service == .account {
                #expect(environment["ATRIUM_ACCOUNT_SECRET"] == "root" && environment["ATRIUM_SERVICE_CREDENTIAL"] == nil)
            } else {
                #expect(environment["ATRIUM_ACCOUNT_SECRET"] == nil, "only AccountService holds the root secret")
                #expect(environment["ATRIUM_SERVICE_CREDENTIAL"] == ServiceCredential.derive(root: "root", for: service.displayName))
            }
            #expect(environment["ATRIUM_PORT"] == String(service.defaultPort))
            #expect(environment["ATRIUM_DATABASE_SCHEMA"] == "p_\(service.rawValue)")
            for peer in ServiceName.allCases {
                #expect(environment["ATRIUM_\(peer.rawValue.uppercased())_URL"] == "http://127.0.0.1:\(peer.defaultPort)")
            }
        }
    }
}
