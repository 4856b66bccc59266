import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// `atrium secrets` and `atrium-server` as a deployment runs them: the real executables.
@Suite("atrium secrets and atrium-server")
struct ToolCommandTests {
    /// Runs `name` from the build's binaries; its exit status and what it wrote to stdout and stderr.
    static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try IntegrationHarness.binDirectory().appendingPathComponent(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ATRIUM_") }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func mode(_ path: String) throws -> Int {
        try #require((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test("atrium secrets writes one owner-only file per container, once; a second run and a short root are refused")
    func secrets() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-secrets-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let short = try Self.run("atrium", ["secrets", "--directory", directory, "--root", "too short"])
        #expect(short.status != 0 && short.output.contains("at least 32 bytes"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/secrets"), "a refused run writes nothing")

        let root = String(repeating: "k", count: 40)
        #expect(try Self.run("atrium", ["secrets", "--directory", directory, "--root", root]).status == 0)
        let expected = ComposeFile.secretFiles(root: root)
        #expect(try Self.mode(directory + "/" + ComposeFile.secretsFolder) == 0o700)
        for (name, text) in expected {
            let path = directory + "/" + name
            #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "\(name)")
            #expect(try Self.mode(path) == 0o600, "\(name) is readable by its owner only")
        }
        let again = try Self.run("atrium", ["secrets", "--directory", directory])
        #expect(again.status != 0 && again.output.contains("exists"))
        for (name, text) in expected {
            #expect(try String(contentsOfFile: directory + "/" + name, encoding: .utf8) == text, "\(name) was not overwritten")
        }
    }

    @Test("atrium-server without a service, or with an unknown one, says how to run it")
    func serverUsage() throws {
        for arguments in [[], ["billing"]] {
            let answer = try Self.run("atrium-server", arguments)
            #expect(answer.status == 1)
            #expect(answer.output.contains("usage: atrium-server <account|chat|pipeline|notify|doc>"))
        }
    }

    @Test("atrium-server runs the service its argument names")
    func serverByArgument() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-server-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try #require(try FreePorts.take(1).first)
        let process = Process()
        process.executableURL = try IntegrationHarness.binDirectory().appendingPathComponent("atrium-server")
        process.arguments = ["account"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ATRIUM_") }
        environment["ATRIUM_ACCOUNT_SECRET"] = TestConfiguration.rootSecret
        environment["ATRIUM_DATA_DIR"] = directory
        environment["ATRIUM_PORT"] = String(port)
        environment["ATRIUM_EXIT_WITH_PARENT"] = "1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let http = ServiceHTTP(base: "http://127.0.0.1:\(port)")
        try await eventually(timeout: .seconds(60), "account-service from atrium-server") {
            (try? await http.send(.GET, "/health/ready").status) == 200
        }
        // AccountService's own route, not just any server: a sign-up without a body is its 400.
        #expect(try await http.send(.POST, "/v1/firms", json: [String: Any]()).status == 400)
    }
}
