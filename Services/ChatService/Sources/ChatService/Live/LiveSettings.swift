import AtriumRuntime

/// The live streams' settings.
struct LiveSettings: Sendable {
    /// `chat.live.heartbeat.ms`: how often an idle stream sends a `: keep-alive` comment line
    /// (15 s by default), so proxies keep it open and a client that left is noticed.
    var heartbeat: Duration
    /// `chat.live.poll.ms`: the safety poll of the log, when no wake-up came (2 s by default).
    var poll: Duration
    /// `chat.live.retention.hours`: how long updates are kept for streams that resume (a day by default).
    var retention: Duration
    /// How often a list stream of assigned accounts looks again at which accounts those are.
    var accountsRefresh: Duration = .seconds(60)
    /// How many missed updates a resuming stream replays before it sends `reset` instead.
    var maxReplay = 5000

    init(_ configuration: ServiceConfiguration) throws {
        let reader = configuration.reader
        heartbeat = .milliseconds(try ServiceConfiguration.integer(reader, "chat.live.heartbeat.ms", default: 15_000, in: 10...3_600_000))
        poll = .milliseconds(try ServiceConfiguration.integer(reader, "chat.live.poll.ms", default: 2_000, in: 10...600_000))
        retention = .seconds(3600 * (try ServiceConfiguration.integer(reader, "chat.live.retention.hours", default: 24, in: 1...720)))
    }
}
