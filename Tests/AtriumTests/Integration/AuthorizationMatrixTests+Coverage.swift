import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// The matrix covers every documented operation: each operation a running service lists in its
/// `/openapi.json` needs a row, so a new endpoint cannot skip the matrix. Operational routes
/// (`/health/…`, `/metrics`, `/openapi.json`) are outside the documents and need none.
extension AuthorizationMatrixTests {
    /// Where a row sent its request: enough to tell which documented operation it exercised.
    struct Target: Sendable {
        let service: ServiceName
        let method: HTTPMethod
        let path: String
    }

    /// Every operation of every service's served document that no target reaches, as
    /// "service METHOD /template".
    static func uncoveredOperations(_ targets: [Target], _ cluster: Cluster) async throws -> [String] {
        var missing: [String] = []
        for service in ServiceName.allCases {
            for (method, template) in try await servedOperations(service, cluster) where !targets.contains(where: {
                $0.service == service && $0.method.rawValue == method && matches($0.path, template)
            }) {
                missing.append("\(service.rawValue) \(method) \(template)")
            }
        }
        return missing
    }

    /// (METHOD, /path/{template}) of each operation in the document `service` serves, sorted.
    static func servedOperations(_ service: ServiceName, _ cluster: Cluster) async throws -> [(String, String)] {
        let (status, document) = try await ServiceHTTP(base: cluster.url(service)).send(.GET, "/openapi.json")
        let paths = document["paths"] as? [String: Any] ?? [:]
        #expect(status == 200 && !paths.isEmpty, "\(service.rawValue) serves its OpenAPI document")
        return paths.flatMap { path, item in
            (item as? [String: Any] ?? [:]).keys.filter(operationKeys.contains).map { ($0.uppercased(), path) }
        }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    /// The keys of an OpenAPI path item that are operations (the rest are `parameters`, `summary`, …).
    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// Whether `path` (its query ignored) fills in `template` segment by segment, a `{param}`
    /// segment matching any one non-empty segment.
    static func matches(_ path: String, _ template: String) -> Bool {
        let concrete = path.prefix { $0 != "?" }.split(separator: "/", omittingEmptySubsequences: false)
        let pattern = template.split(separator: "/", omittingEmptySubsequences: false)
        return concrete.count == pattern.count && zip(concrete, pattern).allSatisfy { segment, expected in
            expected.hasPrefix("{") && expected.hasSuffix("}") ? !segment.isEmpty : segment == expected
        }
    }
}
