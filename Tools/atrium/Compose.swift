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
            blobs (or the S3 bucket), and .env. Production: change the database password, set SMTP, the \
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

/// `atrium secrets`: a new deployment's secrets as `.env` lines for compose: AccountService's root
/// secret and each other service's credential derived from it.
struct Secrets: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print new deployment secrets as .env lines (for compose/.env).")

    @Option(help: "Derive from this root secret (32+ bytes) instead of a new random one.")
    var root: String?

    func run() throws {
        let secret = root ?? Launcher.randomSecret()
        guard secret.utf8.count >= 32 else { throw ValidationError("The root secret must be at least 32 bytes long.") }
        FileHandle.standardOutput.write(Data(ComposeFile.environmentFile(root: secret).utf8))
    }
}
