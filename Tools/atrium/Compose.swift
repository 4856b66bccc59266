import ArgumentParser
import AtriumCluster
import Foundation

/// `atrium compose`: writes compose/docker-compose.yml from the topology.
struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print (or write) the compose file generated from the topology.",
        discussion: """
            Upgrades: each service migrates its schema on start (serialised across replicas); roll out one \
            service and one replica at a time. Backups: pg_dump of the database, the atrium-data volume's \
            blobs (or the S3 bucket), secrets/ and .env. Production: change the database password, set SMTP, the \
            portal URL, S3 and the payments webhook secret, and terminate TLS in front. Details: docs/OPERATIONS.md.
            """)

    @Option(help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let text = ComposeFile.render()
        if let output {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } else {
            print(text, terminator: "")
        }
    }
}

/// `atrium secrets`: a new deployment's secrets, one env file per container under `secrets/`
/// (AccountService's root secret, each other service's credential derived from it, the S3 store's
/// keys), readable by their owner only. It never overwrites: a deployment's secrets are made once.
struct Secrets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a new deployment's secrets: secrets/<name>.env, one per container (run in compose/).")

    @Option(help: "Derive from this root secret (32+ bytes) instead of a new random one.")
    var root: String?

    @Option(help: "The folder beside the compose file that holds the secrets.")
    var directory = "."

    func run() throws {
        let secret = root ?? Launcher.randomSecret()
        guard secret.utf8.count >= 32 else { throw ValidationError("The root secret must be at least 32 bytes long.") }
        let files = ComposeFile.secretFiles(root: secret)
        let manager = FileManager.default
        for name in files.keys where manager.fileExists(atPath: "\(directory)/\(name)") {
            throw ValidationError("\(directory)/\(name) exists: a deployment's secrets are made once (remove the folder to start afresh).")
        }
        let folder = "\(directory)/\(ComposeFile.secretsFolder)"
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (name, text) in files.sorted(by: { $0.key < $1.key }) {
            let path = "\(directory)/\(name)"
            guard manager.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("cannot write \(path)")
            }
            FileHandle.standardOutput.write(Data("wrote \(path)\n".utf8))
        }
    }
}
