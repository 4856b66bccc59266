@testable import AtriumRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime
import Testing

/// Which errors become a 4xx problem and which stay a 500 (RFC 9457 responses, "every input can be hostile").
@Suite("Problem mapping")
struct ProblemMappingTests {
    static let request = Request(head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/v1/x"), body: .init(buffer: ByteBuffer()))
    static let decoding = DecodingError.keyNotFound(
        AnyCodingKey("name"), .init(codingPath: [], debugDescription: "missing"))

    static func serverError(status: HTTPResponse.Status) -> ServerError {
        ServerError(operationID: "op", request: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/v1/x"),
                    requestBody: nil, requestMetadata: .init(), operationInput: nil, operationOutput: nil,
                    causeDescription: "test", underlyingError: decoding, httpStatus: status, httpHeaderFields: [:], httpBody: nil)
    }

    @Test("a body that fails to parse is the caller's 400; stored data that fails to decode in a handler is a 500")
    func decodingErrors() {
        let parse = Problem.from(Self.serverError(status: .badRequest), request: Self.request)
        #expect(parse?.status == 400 && parse?.detail?.contains("name is required") == true)
        #expect(Problem.from(Self.serverError(status: .internalServerError), request: Self.request) == nil)
    }
}

/// A coding key made from a string.
private struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
