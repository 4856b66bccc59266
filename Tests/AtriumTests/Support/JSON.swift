import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// JSON helpers for tests that speak to services over HTTP.
enum JSON {
    static func buffer(_ object: Any) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a JSON object"))
        }
        return object
    }

    static func object(_ data: Data) throws -> [String: Any] {
        try object(ByteBuffer(bytes: data))
    }
}

extension HTTPFields {
    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: token, .contentType: "application/json"]
    }
}

extension TestResponse {
    /// The body as a JSON object; empty when it is not one (the expectation on it then fails).
    var json: [String: Any] { (try? JSON.object(body)) ?? [:] }
}
