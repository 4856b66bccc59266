import ArgumentParser
import Foundation

/// `atrium`: run and package the Atrium services.
@main
struct Atrium: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Atrium's five services locally, write their compose file, or measure them.",
        subcommands: [Up.self, Compose.self, Secrets.self, Bench.self, BenchJobs.self, BenchTokens.self, BenchDocs.self, BenchChat.self, BenchNotify.self, BenchPipeline.self],
        defaultSubcommand: Up.self
    )
}

/// Writes a line to standard output at once (unbuffered, so it shows even when piped to a file).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
