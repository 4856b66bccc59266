public import Foundation

/// A list cursor that carries text (a name key), base64url-encoded so that any text travels in a
/// query string.
public enum TextCursor {
    public static func make(_ key: String) -> String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The text a cursor of `make` carries; a 400 for anything else.
    public static func key(_ cursor: String) throws -> String {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let key = String(data: data, encoding: .utf8) else {
            throw RuntimeError.invalidRequest("cursor is not one this list gave.")
        }
        return key
    }
}
