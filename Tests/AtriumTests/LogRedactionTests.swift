@testable import AtriumRuntime
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
