/// The parts of an http or https address that embed recognition looks at. Strict on purpose:
/// an address with a user name, a port, a backslash, or a host that is not plain lower-case-able
/// ASCII is not split at all, so it can only ever be a plain link.
struct URLParts {
    /// The host, in lower case.
    let host: String
    /// The path's non-empty segments, as written.
    let segments: [String]
    /// The query's `name=value` pairs, as written (not percent-decoded).
    let query: [(name: String, value: String)]

    init?(_ address: String) {
        guard address.unicodeScalars.allSatisfy({ $0.isASCII && $0 != "\\" }),
              let rest = Self.afterScheme(address) else { return nil }
        let beforeFragment = rest.prefix { $0 != "#" }
        let authority = beforeFragment.prefix { $0 != "/" && $0 != "?" }
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains(":") else { return nil }
        let pathAndQuery = beforeFragment.dropFirst(authority.count)
        host = authority.lowercased()
        segments = pathAndQuery.prefix { $0 != "?" }.split(separator: "/").map(String.init)
        query = Self.pairs(pathAndQuery.drop { $0 != "?" }.dropFirst())
    }

    /// The value of the first query parameter called `name`.
    func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    private static func afterScheme(_ address: String) -> Substring? {
        for scheme in ["https://", "http://"] where address.lowercased().hasPrefix(scheme) {
            return address.dropFirst(scheme.count)
        }
        return nil
    }

    private static func pairs(_ query: Substring) -> [(name: String, value: String)] {
        query.split(separator: "&").map { pair in
            let name = pair.prefix { $0 != "=" }
            return (String(name), String(pair.dropFirst(name.count + 1)))
        }
    }
}
