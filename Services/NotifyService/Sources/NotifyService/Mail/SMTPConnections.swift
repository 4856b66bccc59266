/// At most `limit` SMTP conversations at once (`smtp.connections`): relays limit connections per
/// client, and every e-mail in flight is one that a crash could leave unknown (DECISIONS).
actor SMTPConnections {
    private let limit: Int
    private var open = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `body` once a connection is free.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if open < limit {
            open += 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        defer { release() }
        return try await body()
    }

    private func release() {
        if waiting.isEmpty {
            open -= 1
        } else {
            // The slot passes straight to the next in line.
            waiting.removeFirst().resume()
        }
    }
}
