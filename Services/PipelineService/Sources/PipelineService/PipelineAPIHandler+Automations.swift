import AtriumRuntime
import Foundation
import PipelineAPI

/// A stage's automations (SPEC "Pipelines"): added, replaced, reordered and removed by owners
/// and admins as part of editing the pipeline. A job already in the stage keeps the runs it made.
extension PipelineAPIHandler {
    func addAutomation(_ input: Operations.AddAutomation.Input) async throws -> Operations.AddAutomation.Output {
        guard case .json(let draft) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (pipelineID, stageID) = (input.path.pipelineId, input.path.stageId)
        let automation = try AutomationRules.automation(draft, id: Identifier.make("aut"), pipeline: pipelineID, stage: stageID)
        return .created(.init(body: .json(try await edit(pipelineID) { model in
            guard model.stages.contains(where: { $0.id == stageID }) else { throw PipelineError.stageNotFound(stageID) }
            var stage = model.automations(of: stageID)
            stage.insert(automation, at: min(draft.position ?? stage.count, stage.count))
            model.automations = model.automations.filter { $0.stageId != stageID } + stage
        }.wire)))
    }

    func replaceAutomation(_ input: Operations.ReplaceAutomation.Input) async throws -> Operations.ReplaceAutomation.Output {
        guard case .json(let draft) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        guard draft.position == nil else { throw PipelineError.invalid("position is for adding; reorder with automation-order.") }
        let (pipelineID, stageID, automationID) = (input.path.pipelineId, input.path.stageId, input.path.automationId)
        let replacement = try AutomationRules.automation(draft, id: automationID, pipeline: pipelineID, stage: stageID)
        return .ok(.init(body: .json(try await edit(pipelineID) { model in
            guard let index = model.automations.firstIndex(where: { $0.id == automationID && $0.stageId == stageID }) else {
                throw PipelineError.automationNotFound(automationID)
            }
            var kept = replacement
            kept.position = model.automations[index].position
            model.automations[index] = kept
        }.wire)))
    }

    func deleteAutomation(_ input: Operations.DeleteAutomation.Input) async throws -> Operations.DeleteAutomation.Output {
        let (pipelineID, stageID, automationID) = (input.path.pipelineId, input.path.stageId, input.path.automationId)
        return .ok(.init(body: .json(try await edit(pipelineID) { model in
            guard model.automations.contains(where: { $0.id == automationID && $0.stageId == stageID }) else {
                throw PipelineError.automationNotFound(automationID)
            }
            model.automations.removeAll { $0.id == automationID }
        }.wire)))
    }

    func reorderAutomations(_ input: Operations.ReorderAutomations.Input) async throws -> Operations.ReorderAutomations.Output {
        guard case .json(let order) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (pipelineID, stageID) = (input.path.pipelineId, input.path.stageId)
        return .ok(.init(body: .json(try await edit(pipelineID) { model in
            guard model.stages.contains(where: { $0.id == stageID }) else { throw PipelineError.stageNotFound(stageID) }
            let stage = model.automations(of: stageID)
            guard order.automationIds.count == stage.count, Set(order.automationIds) == Set(stage.map(\.id)) else {
                throw PipelineError.invalid("automationIds must name every automation of the stage once.")
            }
            let byID = Dictionary(uniqueKeysWithValues: stage.map { ($0.id, $0) })
            model.automations = model.automations.filter { $0.stageId != stageID } + order.automationIds.compactMap { byID[$0] }
        }.wire)))
    }
}
