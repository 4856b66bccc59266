import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1

/// Export and import of pipelines: the firm's owners and admins only; other team members and
/// contacts 403; another firm's pipeline 404 (the cross-firm check asks about `w.pipeline`).
extension AuthorizationMatrixTests {
    static func exchangeRows(_ w: MatrixWorld) -> [Row] {
        let admins = { (status: Int) in expect(owner: status, assigned: 403, unassigned: 403, contact: 403, otherContact: 403) }
        return [
            row(.pipeline, .GET, "/v1/pipelines/\(w.pipeline)/export", admins(200)),
            // A document with no templates, tags or members: nothing is asked of the other services.
            Row(service: .pipeline, method: .POST, path: MatrixWorld.at("/v1/pipelines/import"),
                body: { persona in
                    ["name": unique(persona), "document": [
                        "format": "atrium.pipeline", "version": 1, "templates": [String: Any](),
                        "pipeline": ["name": "Matrix import", "stages": [["name": "One"], ["name": "Two"]]],
                    ] as [String: Any]]
                }, expected: admins(201)),
        ]
    }
}
