import AtriumCluster
import AtriumRuntime
import Foundation
import Testing

/// Firm A against firm B: every request of firm B's matrix that names one of B's ids, sent by each
/// of firm A's personas (and the anonymous caller), must fail exactly as the same request does
/// with B's ids swapped for ids that exist nowhere. Firm A cannot tell B's resources from nothing.
extension AuthorizationMatrixTests {
    /// Every answer that succeeds or differs from the answer about nothing, one line each.
    static func crossFirmLeaks(asking a: MatrixWorld, about b: MatrixWorld, cluster: Cluster, hook: String) async throws -> [String] {
        var leaks: [String] = []
        var named: Set<String> = []
        for row in rows(b, cluster: cluster, hook: hook) {
            for persona in Persona.allCases {
                let path = try await row.path(persona)
                let body = row.body(persona)
                let ids = realIDs(in: path, body)
                guard !ids.isEmpty else { continue }
                named.formUnion(ids)
                let nothing = Dictionary(uniqueKeysWithValues: ids.map { ($0, Identifier.make(String($0.prefix { $0 != "_" }))) })
                let client = ServiceHTTP(base: cluster.url(row.service), token: a.tokens[persona])
                let real = try await client.send(row.method, path, json: body, headers: row.headers(persona))
                let none = try await client.send(row.method, replacing(path, nothing) as? String ?? path, json: body.map { replacing($0, nothing) },
                                                 headers: row.headers(persona))
                if (200..<300).contains(real.status) && !row.judgedLater || real.status != none.status {
                    leaks.append("\(row.name) \(path) as firm A's \(persona): \(real.status) about firm B's, \(none.status) about nothing \(real.json)")
                }
            }
        }
        let unnamed = b.ids.subtracting(named)
        #expect(unnamed.isEmpty, "firm B's ids no row asks about: \(unnamed.sorted())")
        #expect(named.isDisjoint(with: a.ids), "firm B's rows name only firm B's ids")
        return leaks
    }

    /// The ids Atrium made (`<prefix>_<28 hex>`) that `path` or any string in `body` holds.
    static func realIDs(in path: String, _ body: [String: Any]?) -> Set<String> {
        let id = #/[a-z]+_[0-9a-f]{28}/#
        return Set(([path] + (body.map { strings(in: $0) } ?? [])).flatMap { $0.matches(of: id).map { String($0.output) } })
    }

    /// Every string in a JSON value, however deep.
    static func strings(in value: Any) -> [String] {
        switch value {
        case let string as String: [string]
        case let array as [Any]: array.flatMap(strings)
        case let object as [String: Any]: object.values.flatMap(strings)
        default: []
        }
    }

    /// `value` (a string or JSON value) with each key of `ids` replaced by its value, shape kept.
    static func replacing(_ value: Any, _ ids: [String: String]) -> Any {
        switch value {
        case let string as String: ids.reduce(string) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        case let array as [Any]: array.map { replacing($0, ids) }
        case let object as [String: Any]: object.mapValues { replacing($0, ids) }
        default: value
        }
    }
}
