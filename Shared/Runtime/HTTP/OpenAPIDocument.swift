public import Foundation
import Yams
public import OpenAPIRuntime

/// A service's OpenAPI document: its own contract merged with the shared webhooks contract.
///
/// Served at `/openapi.json`; also the source of truth for which routes are public.
public struct OpenAPIDocument: Sendable {
    /// The merged document as JSON.
    public let json: Data
    /// Every operation as (METHOD, /path/{template}).
    public let operations: [(method: String, path: String)]
    /// Operations whose `security` is explicitly empty.
    public let publicOperations: [(method: String, path: String)]

    /// Merges YAML documents: the first gives `info`; `paths` and `components` are unions.
    public init(yamlDocuments: [Data]) throws {
        var merged: [String: Any] = [:]
        for data in yamlDocuments {
            guard let document = try Yams.load(yaml: String(decoding: data, as: UTF8.self)).map(Self.stringKeyed) as? [String: Any]
            else { throw CocoaError(.propertyListReadCorrupt) }
            merged = Self.merge(merged, document)
        }
        json = try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys, .withoutEscapingSlashes])
        let paths = merged["paths"] as? [String: Any] ?? [:]
        var operations: [(String, String)] = []
        var publicOperations: [(String, String)] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            for (method, operation) in (item as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key })
            where Self.methods.contains(method) {
                operations.append((method.uppercased(), path))
                if let security = (operation as? [String: Any])?["security"] as? [Any], security.isEmpty {
                    publicOperations.append((method.uppercased(), path))
                }
            }
        }
        self.operations = operations
        self.publicOperations = publicOperations
    }

    /// The public routes to give the auth middleware.
    public var publicRoutes: PublicRoutes { PublicRoutes(publicOperations) }

    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    private static func stringKeyed(_ value: Any) -> Any {
        if let dictionary = value as? [AnyHashable: Any] {
            return Dictionary(uniqueKeysWithValues: dictionary.map { ("\($0.key.base)", stringKeyed($0.value)) })
        }
        if let array = value as? [Any] { return array.map(stringKeyed) }
        return value
    }

    /// Unions `paths` and each `components` section; everything else keeps the first document's value.
    private static func merge(_ base: [String: Any], _ addition: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in addition {
            guard let existing = result[key] else {
                result[key] = value
                continue
            }
            guard key == "paths" || key == "components", let old = existing as? [String: Any], let new = value as? [String: Any]
            else { continue }
            result[key] = old.merging(new) { first, second in
                guard let first = first as? [String: Any], let second = second as? [String: Any], key == "components" else { return first }
                return first.merging(second) { kept, _ in kept }
            }
        }
        return result
    }
}

extension OpenAPIRuntime.Configuration {
    /// How every Atrium handler encodes its answers: compact JSON (the generator's default
    /// pretty-prints, which costs time on every response and bytes on the wire), keys sorted
    /// so the same answer is always the same bytes.
    public static let atrium = OpenAPIRuntime.Configuration(jsonEncodingOptions: [.sortedKeys])
}
