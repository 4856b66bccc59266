import AtriumCluster
import Foundation

/// A real SMTP server for one test: `scripts/smtp-sink.py` (aiosmtpd) in a child process on a
/// free loopback port, writing each message it accepts into a temporary directory, which
/// `stop()` removes. With TLS it serves a certificate signed by a throwaway CA made with the
/// `openssl` CLI; `caFile` is that CA, for `smtp.ca.file`.
///
/// Unchecked: `Process` and `Pipe` are not marked Sendable; they are set once and only read.
final class SMTPSink: @unchecked Sendable {
    /// How the server protects the connection.
    enum TLS: Sendable {
        case none
        /// STARTTLS offered and required before MAIL.
        case starttls
        /// TLS from the first byte (smtps).
        case implicit
    }

    struct Options: Sendable {
        var tls = TLS.none
        /// AUTH required with these credentials (offered only once the connection is encrypted).
        var auth: (user: String, password: String)?
        /// Messages answered 451 before the first one is accepted.
        var failFirst = 0
        /// Recipients containing this are refused with 550.
        var refuseRecipients: String?
        /// Listen here rather than on a free port of its choosing (a server that comes back).
        var port: Int?
    }

    /// One message as the server received it, and as Python's e-mail parser reads it.
    struct Received: Decodable, Sendable {
        let mailFrom: String
        let rcptTos: [String]
        /// The bytes as received, base64.
        let raw: String
        let tls: Bool
        let authUser: String?
        /// Header fields in order: name and decoded value.
        let headers: [[String]]
        /// `[display name, address]` pairs.
        let from: [[String]]
        let to: [[String]]
        let subject: String?
        let contentType: String
        let parts: [Part]
        let text: String?
        let html: String?
        /// What the parser found wrong, if anything.
        let defects: [String]

        struct Part: Decodable, Sendable {
            let type: String
            let charset: String?
            let encoding: String?
            let content: String
        }

        var rawText: String { String(decoding: Data(base64Encoded: raw) ?? Data(), as: UTF8.self) }

        /// The decoded value of the first `name` field.
        func header(_ name: String) -> String? {
            headers.first { $0.first?.lowercased() == name.lowercased() }?.last
        }
    }

    let port: Int
    /// The PEM file of the CA that signed the server's certificate; nil without TLS.
    let caFile: String?
    let options: Options
    private let root: URL
    private let process: Process
    /// Our end of the sink's standard input: when this process dies it closes, and the sink stops.
    private let lifeline: Pipe

    /// `smtp://127.0.0.1:<port>`, or `smtps://` for implicit TLS.
    var url: String { "\(options.tls == .implicit ? "smtps" : "smtp")://127.0.0.1:\(port)" }

    /// Whether the tests can run a sink here: python3 with aiosmtpd (CI installs it, and always runs them).
    static let isAvailable: Bool = {
        if ProcessInfo.processInfo.environment["CI"] != nil { return true }
        return (try? run("/usr/bin/env", ["python3", "-c", "import aiosmtpd"])) == 0
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/smtp-sink.py").path

    private init(port: Int, caFile: String?, options: Options, root: URL, process: Process, lifeline: Pipe) {
        self.port = port
        self.caFile = caFile
        self.options = options
        self.root = root
        self.process = process
        self.lifeline = lifeline
    }

    /// Runs `body` with a started sink, stopped afterwards whatever happens.
    @discardableResult
    static func with<T>(_ options: Options = Options(), _ body: (SMTPSink) async throws -> T) async throws -> T {
        let sink = try await start(options)
        do {
            let result = try await body(sink)
            await sink.stop()
            return result
        } catch {
            await sink.stop()
            throw error
        }
    }

    /// Starts a sink and returns once it accepts connections.
    static func start(_ options: Options = Options()) async throws -> SMTPSink {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-smtp-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        do {
            var arguments = [script, "--dir", root.appendingPathComponent("messages").path, "--exit-with-stdin"]
            var caFile: String?
            if options.tls != .none {
                let (ca, certificate, key) = try makeCertificate(in: root)
                caFile = ca
                arguments += [options.tls == .starttls ? "--starttls" : "--implicit-tls", certificate, key]
            }
            if let auth = options.auth { arguments += ["--auth", "\(auth.user):\(auth.password)"] }
            if options.failFirst > 0 { arguments += ["--fail-first", String(options.failFirst)] }
            if let refused = options.refuseRecipients { arguments += ["--refuse-rcpt", refused] }
            // A port free a moment ago may be taken by the time the sink binds it: try another.
            var lastError: any Error = TimedOut(what: "an SMTP sink to start")
            for _ in 0..<(options.port == nil ? 3 : 1) {
                let port = try options.port ?? FreePorts.take(1)[0]
                do {
                    let (process, lifeline) = try await launch(arguments + ["--port", String(port)], root: root)
                    return SMTPSink(port: port, caFile: caFile, options: options, root: root, process: process, lifeline: lifeline)
                } catch {
                    lastError = error
                }
            }
            throw lastError
        } catch {
            try? FileManager.default.removeItem(at: root)
            throw error
        }
    }

    /// Starts the script and waits for its `ready` file; a sink that exits first is an error with its log.
    private static func launch(_ arguments: [String], root: URL) async throws -> (Process, Pipe) {
        let messages = root.appendingPathComponent("messages")
        try? FileManager.default.removeItem(at: messages)
        let log = root.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        let lifeline = Pipe()
        process.standardInput = lifeline
        try process.run()
        try? output.close()
        do {
            try await eventually("the SMTP sink to be ready") {
                guard process.isRunning else {
                    let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                    throw SinkFailed(description: "the SMTP sink exited (\(process.terminationStatus)): \(text.suffix(2000))")
                }
                return FileManager.default.fileExists(atPath: messages.appendingPathComponent("ready").path)
            }
        } catch {
            if process.isRunning { process.terminate() }
            throw error
        }
        return (process, lifeline)
    }

    /// The messages accepted so far, in order.
    func messages() throws -> [Received] {
        let directory = root.appendingPathComponent("messages")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("message-") && $0.hasSuffix(".json") }.sorted()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try names.map { try decoder.decode(Received.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    /// Stops the sink (SIGTERM, then SIGKILL) and removes its directory.
    func stop() async {
        if process.isRunning { process.terminate() }
        if (try? await eventually(timeout: .seconds(5), "the SMTP sink to stop", { !self.process.isRunning })) == nil {
            kill(process.processIdentifier, SIGKILL)
            try? await eventually(timeout: .seconds(5), "the SMTP sink to die", { !self.process.isRunning })
        }
        try? lifeline.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: root)
    }

    /// A CA and a server certificate it signed for `localhost` and `127.0.0.1`: (CA, certificate, key) files.
    private static func makeCertificate(in root: URL) throws -> (String, String, String) {
        let path = { (name: String) in root.appendingPathComponent(name).path }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let steps: [[String]] = [
            ["req", "-x509"] + ec + ["-keyout", path("ca-key.pem"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=Atrium Test CA"],
            ["req"] + ec + ["-keyout", path("key.pem"), "-out", path("server.csr"), "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca-key.pem"), "-CAcreateserial",
             "-out", path("cert.pem"), "-days", "2", "-extfile", path("san.cnf")],
        ]
        try "subjectAltName = DNS:localhost, IP:127.0.0.1\n".write(toFile: path("san.cnf"), atomically: true, encoding: .utf8)
        for step in steps {
            let status = try run("/usr/bin/env", ["openssl"] + step)
            guard status == 0 else { throw SinkFailed(description: "openssl \(step.first ?? "") failed (\(status))") }
        }
        return (path("ca.pem"), path("cert.pem"), path("key.pem"))
    }

    /// Runs a short command to its end, its output discarded; its exit status.
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    struct SinkFailed: Error, CustomStringConvertible {
        let description: String
    }
}
