public import Foundation

/// The OpenAPI document this module is generated from, shipped beside the binary.
public enum DirectoryEventsAPIDocument {
    /// The document's YAML bytes.
    public static func yaml() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
