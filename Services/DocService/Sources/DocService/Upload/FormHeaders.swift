import Foundation

/// The parameters of a `Content-Type` or `Content-Disposition` header value.
enum HeaderParameters {
    /// `value`'s parameters by lower-cased name: quoted strings unescaped, and an RFC 5987
    /// `name*=UTF-8''…` value percent-decoded under `name`, where it wins over the plain one.
    static func parse(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var extended: [String: String] = [:]
        var rest = Substring(value)
        // Skip the value itself ("form-data", "multipart/form-data").
        guard let semicolon = rest.firstIndex(of: ";") else { return [:] }
        rest = rest[rest.index(after: semicolon)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == ";" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            let parameter: String
            (parameter, rest) = rest.first == "\"" ? quoted(rest.dropFirst()) : token(rest)
            if name.hasSuffix("*") {
                extended[String(name.dropLast())] = decode5987(parameter)
            } else {
                result[name] = parameter
            }
        }
        for (name, value) in extended { result[name] = value }
        return result
    }

    private static func quoted(_ text: Substring) -> (String, Substring) {
        var value = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            if character == "\"" { break }
            if character == "\\", index < text.endIndex {
                value.append(text[index])
                index = text.index(after: index)
            } else {
                value.append(character)
            }
        }
        return (value, text[index...])
    }

    private static func token(_ text: Substring) -> (String, Substring) {
        let end = text.firstIndex(of: ";") ?? text.endIndex
        return (text[..<end].trimmingCharacters(in: .whitespaces), text[end...])
    }

    /// `UTF-8'lang'percent-encoded` → the text; nil for another charset or bad encoding.
    private static func decode5987(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return String(pieces[2]).removingPercentEncoding
    }
}
