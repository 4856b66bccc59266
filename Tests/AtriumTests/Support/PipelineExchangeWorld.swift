import AccountService
import AtriumRuntime
import Foundation
import HummingbirdTesting
@testable import PipelineService

extension PipelineWorld {
    /// `run`, with `templates` (and `items`) answering for the other services' templates, tags and team.
    static func run(
        _ engine: TestEngine, templates: FakeTemplateExchange, items: any ItemTemplateExchange = NoItemTemplateExchange(), _ body: @escaping @Sendable (PipelineWorld) async throws -> Void
    ) async throws {
        try await TestStorage.with(engine) { storage in
            let downstream = FakeDownstream()
            let app = try await PipelineService.buildApplication(
                try TestConfiguration.make(.pipeline, storage: storage),
                dependencies: PipelineDependencies(downstream: downstream, directory: ChatWorld.directory, templates: templates,
                                                   itemTemplates: items))
            let key = try await InboundSecrets.read(storage, service: .pipeline, subscription: "pipeline-service.chat")
            let signer = try await TestConfiguration.signer()
            func token(_ caller: Caller) async throws -> String { "Bearer " + (try await signer.issue(for: caller)) }
            let member = { (id: String, role: Caller.Role, firm: String) in Caller(kind: .member, subject: id, firmID: firm, role: role) }
            let tokens = [
                "owner": try await token(member("mem_test", .owner, "firm_test")),
                "admin": try await token(member("mem_adm", .admin, "firm_test")),
                "assigned": try await token(member("mem_asg", .employee, "firm_test")),
                "contact": try await token(Caller(kind: .contact, subject: "con_1", firmID: "firm_test")),
                "stranger": try await token(member("mem_x", .owner, "firm_other")),
                "strangerEmployee": try await token(member("mem_y", .employee, "firm_other")),
            ]
            try await app.test(.live) { client in
                try await body(PipelineWorld(client: client, storage: storage, downstream: downstream, key: key, tokens: tokens))
            }
        }
    }
}
