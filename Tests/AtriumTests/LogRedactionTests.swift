@testable import AtriumRuntime
import Foundation
import Logging
import Synchronization
import Testing

/// The scrubber's fast path: values that cannot hold a credential skip the expressions, and every
/// kind of credential the expressions know still trips it.
@Suite("Log redaction: fast path and rules")
struct LogRedactionTests {
    @Test("each kind of credential is caught; plain request values pass untouched")
    func rules() {
        let secrets = [
            "authorization: Bearer abc.def.ghi", "Cookie=session=s3cr3t", "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", #"{"password":"hunter2hunter2"}"#,
            #"refreshToken: Optional("abc")"#, #""secret":"x""#,
        ]
        for text in secrets {
            #expect(LogRedaction.mayHoldCredential(text), "\(text)")
            #expect(LogRedaction.scrub(text) != text, "\(text) was not scrubbed")
        }
        for plain in ["GET", "/v1/threads/thr_01a20a", "200", "12", "request", "0af7651916cd43dd8448eb211c80319c"] {
            #expect(!LogRedaction.mayHoldCredential(plain))
            #expect(LogRedaction.scrub(plain) == plain)
        }
    }
}

/// The handler scrubs when a line is written, so metadata set on a logger (and never written at
/// the configured level) costs nothing, and metadata that is written is still scrubbed.
@Suite("Log redaction: the handler")
struct RedactingLogHandlerTests {
    @Test("credentials set as logger metadata, provided metadata and line metadata are scrubbed when written")
    func scrubsWhenWritten() {
        let lines = CapturedLines()
        var handler = RedactingLogHandler(CapturingLogHandler(lines: lines))
        handler.metadataProvider = .init { ["provided": "Bearer eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln"] }
        var logger = Logger(label: "test") { _ in handler }
        logger[metadataKey: "authorization"] = "Bearer abc.def.ghi"
        logger[metadataKey: "headers"] = "cookie: session=s3cr3t; accept: */*"
        logger[metadataKey: "request"] = "r1"
        logger.info("failed", metadata: ["body": #"{"password":"hunter2hunter2"}"#])
        let written = lines.value.withLock { $0 }
        #expect(written.count == 1, "\(written)")
        let text = written.joined()
        for secret in ["abc.def.ghi", "s3cr3t", "hunter2hunter2", "eyJhbGciOiJFZERTQSJ9"] {
            #expect(!text.contains(secret), "\(secret) reached the log: \(text)")
        }
        #expect(text.contains("r1"), "ordinary metadata is kept: \(text)")
    }
}
