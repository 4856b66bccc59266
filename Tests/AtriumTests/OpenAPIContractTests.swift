import AccountService
import AtriumRuntime
import ChatService
import DocService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NotifyService
import PipelineService
import Testing

/// Each service's `/openapi.json` is kept true to its routes: every documented operation is routed,
/// and the routes the document marks public are the only ones open without a token.
@Suite("OpenAPI documents match the routes")
struct OpenAPIContractTests {
    static let services: [ServiceName] = ServiceName.allCases

    @Test("every documented operation is routed", arguments: services)
    func documentedOperationsAreRouted(service: ServiceName) async throws {
        try await TestStorage.with(.sqlite) { storage in
            let configuration = try TestConfiguration.make(service, storage: storage)
            let app = try await Self.build(service, configuration)
            let token = try await TestConfiguration.serviceToken()
            let document = try Self.document(service)
            #expect(!document.operations.isEmpty)
            try await app.test(.router) { client in
                for operation in document.operations {
                    let path = operation.path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x", options: .regularExpression)
                    try await client.execute(uri: path, method: .init(operation.method)!, headers: .bearer(token),
                                             body: .init(string: "{}")) { response in
                        let problem = try? JSON.object(response.body)
                        #expect(problem?["type"] as? String != "https://atrium.dev/problems/route-not-found",
                                "\(operation.method) \(operation.path) is documented but not routed")
                        #expect(response.status != .methodNotAllowed)
                    }
                }
            }
        }
    }

    static func document(_ service: ServiceName) throws -> OpenAPIDocument {
        let definition: ServiceDefinition =
            switch service {
            case .account: try accountServiceDefinition()
            case .chat: try chatServiceDefinition()
            case .pipeline: try pipelineServiceDefinition()
            case .notify: try notifyServiceDefinition()
            case .doc: try docServiceDefinition()
            }
        return try ServiceRuntime.document(for: definition)
    }

    static func build(_ service: ServiceName, _ configuration: ServiceConfiguration) async throws -> any ApplicationProtocol {
        switch service {
        case .account: try await AccountService.buildApplication(configuration)
        case .chat: try await ChatService.buildApplication(configuration, directory: FixedDirectory())
        case .pipeline: try await PipelineService.buildApplication(configuration)
        case .notify: try await NotifyService.buildApplication(configuration)
        case .doc: try await DocService.buildApplication(configuration)
        }
    }
}
