import AtriumRuntime

/// The inbox streams' settings.
struct LiveSettings: Sendable {
    /// `notify.live.heartbeat.ms`: how often an idle stream sends a `: keep-alive` comment line
    /// (15 s by default), so proxies keep it open and a client that left is noticed.
    var heartbeat: Duration
    /// `notify.live.poll.ms`: the safety look at the counters, when no wake-up came (2 s by default).
    var poll: Duration

    init(_ configuration: ServiceConfiguration) throws {
        let reader = configuration.reader
        heartbeat = .milliseconds(try ServiceConfiguration.integer(reader, "notify.live.heartbeat.ms", default: 15_000, in: 10...3_600_000))
        poll = .milliseconds(try ServiceConfiguration.integer(reader, "notify.live.poll.ms", default: 2_000, in: 10...600_000))
    }
}
