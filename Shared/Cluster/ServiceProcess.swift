public import AtriumRuntime
public import Foundation

/// One service running as a child process (`atrium-server <service>`), its output going to a log file.
public final class ServiceProcess: @unchecked Sendable {
    public let service: ServiceName
    public let logFile: URL
    private let executable: URL
    private let environment: [String: String]
    private let inheritSettings: Bool
    // Guarded by `lock`: the running process, replaced on restart.
    private var process: Process?
    private let lock = NSLock()

    init(service: ServiceName, executable: URL, environment: [String: String], logFile: URL, inheritSettings: Bool) {
        self.service = service
        self.executable = executable
        self.environment = environment
        self.logFile = logFile
        self.inheritSettings = inheritSettings
    }

    /// Starts the executable; the child ends itself if this process dies (`ATRIUM_EXIT_WITH_PARENT`).
    public func start() throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = [service.rawValue]
        // The topology's settings win; the caller's own ATRIUM_* settings pass through only when asked
        // (`atrium up`), so a developer's shell never leaks into a test's services.
        var environment = ProcessInfo.processInfo.environment.filter { inheritSettings || !$0.key.hasPrefix("ATRIUM_") }
        environment.merge(self.environment) { _, new in new }
        environment["ATRIUM_EXIT_WITH_PARENT"] = "1"
        process.environment = environment
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lock.withLock { self.process = process }
    }

    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }
    public var processIdentifier: Int32? { lock.withLock { process?.processIdentifier } }

    /// Sends a signal (SIGTERM to stop gracefully, SIGKILL to simulate a crash).
    public func signal(_ signal: Int32) {
        guard let pid = processIdentifier, isRunning else { return }
        kill(pid, signal)
    }

    /// How long a SIGKILLed process may take to be seen gone: the kernel ends it once it leaves a
    /// disk wait it may be blocked in, and Foundation notices the exit on a thread of its own. On a
    /// loaded CI machine this once took over 10 s.
    public static let killWait: Duration = .seconds(60)

    /// Waits up to `timeout` for the process to end; true if it did.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// SIGTERM, then SIGKILL if it has not ended within `grace`.
    public func stop(grace: Duration = .seconds(10)) async {
        signal(SIGTERM)
        if await !waitForExit(timeout: grace) {
            signal(SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }

    /// The exit status once ended.
    public var exitStatus: Int32? { lock.withLock { process.flatMap { $0.isRunning ? nil : $0.terminationStatus } } }

    /// The last `lines` lines of the log.
    public func logTail(lines: Int = 40) -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
