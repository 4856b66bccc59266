import AtriumRuntime
import Foundation
import PipelineAPI

/// Export and import of a pipeline with the templates its automations use (SPEC "Pipelines";
/// the format is `PipelineDocument` in the contract and docs/PIPELINE-FORMAT.md). Owners and
/// admins only; other services are called as them.
extension PipelineAPIHandler {
    func exportPipeline(_ input: Operations.ExportPipeline.Input) async throws -> Operations.ExportPipeline.Output {
        let (_, firm) = try Self.exchanger()
        guard let model = try await pipelines.model(input.path.pipelineId, on: database.sql), model.pipeline.firmId == firm else {
            throw PipelineError.pipelineNotFound(input.path.pipelineId)
        }
        let document = try await PipelineExporter(exchange: templates, items: itemTemplates).document(model, firm: firm)
        return .ok(.init(body: .json(document)))
    }

    func importPipeline(_ input: Operations.ImportPipeline.Input) async throws -> Operations.ImportPipeline.Output {
        guard case .json(let request) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (caller, firm) = try Self.exchanger()
        let importer = PipelineImporter(database: database, pipelines: pipelines, exchange: templates, items: itemTemplates)
        return .created(.init(body: .json(try await importer.run(request, caller: caller, firm: firm))))
    }

    /// The calling owner or admin and their firm: only they export and import pipelines.
    static func exchanger() throws -> (Caller, String) {
        let caller = try RequestScope.requireCaller()
        guard caller.isFirmAdmin, caller.portalView == nil, let firm = caller.firmID else {
            throw PipelineError.notAllowed("Only the firm's owners and admins export and import pipelines.")
        }
        return (caller, firm)
    }
}
