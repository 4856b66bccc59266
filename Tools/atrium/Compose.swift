import ArgumentParser
import AtriumCluster
import Foundation

/// `atrium compose`: writes compose/docker-compose.yml from the topology.
struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print (or write) the compose file generated from the topology.")

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
