import Foundation

/// Re-evaluates `condition` until it holds or `timeout` passes; for state owned by another
/// process or a background task, where no event can be awaited directly.
func eventually(
    timeout: Duration = .seconds(20), _ what: @autoclosure () -> String = "condition",
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what()) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "Timed out waiting for \(what)" }
}
