import ArgumentParser

/// `atrium`: run and package the Atrium services.
@main
struct Atrium: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Atrium's five services locally, or write their compose file.",
        subcommands: [Up.self, Compose.self],
        defaultSubcommand: Up.self
    )
}
