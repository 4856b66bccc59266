import AtriumCluster
import AtriumRuntime
import Foundation
import Testing

/// `atrium up` itself: five ready services, and none left behind when it is stopped or killed.
@Suite("The atrium launcher", .serialized)
struct LauncherTests {
    /// Starts `atrium up --no-build` on five free consecutive ports; returns it once it says it is up.
    static func launch(in directory: URL) async throws -> (Process, Pipe) {
        let bin = try IntegrationHarness.binDirectory()
        let launcher = Process()
        launcher.executableURL = bin.appendingPathComponent("atrium")
        let base = try FreePorts.consecutive(ServiceName.allCases.count)
        launcher.arguments = ["up", "--no-build", "--data-dir", directory.path, "--base-port", String(base)]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ATRIUM_") }
        environment["ATRIUM_ACCOUNT_SECRET"] = TestConfiguration.rootSecret
        launcher.environment = environment
        let output = Pipe()
        launcher.standardOutput = output
        launcher.standardError = FileHandle.nullDevice
        try launcher.run()
        var text = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while !text.contains("Atrium is up") {
            guard launcher.isRunning, ContinuousClock.now < deadline else {
                throw TimedOut(what: "atrium up to report ready; it said:\n\(text)")
            }
            let chunk = output.fileHandleForReading.availableData
            text += String(decoding: chunk, as: UTF8.self)
        }
        return (launcher, output)
    }

    /// The service processes the launcher started.
    static func children(of pid: Int32) -> [Int32] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.compactMap(Int32.init).filter { candidate in
            guard let stat = try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid
        }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")  // a zombie has ended
    }

    @Test("SIGTERM to the launcher stops all five services and leaves no process behind",
          arguments: [SIGTERM, SIGKILL])
    func stopsEverything(signal: Int32) async throws {
        try await TestStorage.with(.sqlite) { storage in
            let (launcher, _) = try await Self.launch(in: storage.directory)
            let services = Self.children(of: launcher.processIdentifier)
            #expect(services.count == ServiceName.allCases.count)
            kill(launcher.processIdentifier, signal)
            launcher.waitUntilExit()
            try await eventually("every service process to end") { services.allSatisfy { !Self.isAlive($0) } }
            if signal == SIGTERM { #expect(launcher.terminationStatus == 0) }
        }
    }
}
