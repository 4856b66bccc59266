import AtriumRuntime
import Foundation
import PipelineAPI

/// Pipelines and their stages (SPEC "Pipelines"): owners and admins edit them; team members read
/// them; services read them by id; contacts never. Another firm's pipeline does not exist to anyone
/// outside it.
extension PipelineAPIHandler {
    func listPipelines(_ input: Operations.ListPipelines.Input) async throws -> Operations.ListPipelines.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, let firm = caller.firmID else { throw PipelineError.notAllowed("Only team members list their firm's pipelines.") }
        return .ok(.init(body: .json(.init(items: try await pipelines.models(firm: firm, on: database.sql).map(\.wire)))))
    }

    func createPipeline(_ input: Operations.CreatePipeline.Input) async throws -> Operations.CreatePipeline.Output {
        guard case .json(let draft) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let (caller, firm) = try Self.editor()
        let name = try StageRules.name(draft.name, field: "name")
        guard !draft.stages.isEmpty else { throw PipelineError.invalid("A pipeline has at least one stage.") }
        let now = EpochMillis.now()
        let id = Identifier.make("pl")
        let pipeline = PipelineRecord(id: id, firmId: firm, name: name, nameKey: name.lowercased(), createdBy: caller.subject, createdAt: now, updatedAt: now)
        let model = PipelineModel(pipeline: pipeline, stages: try StageRules.settled(try draft.stages.map { try StageRules.stage($0, pipeline: id) }))
        let store = pipelines
        guard try await database.transaction({ tx in try await store.insert(model, on: tx) }) else {
            throw PipelineError.conflict("The firm has a pipeline named \(name).")
        }
        return .created(.init(body: .json(model.wire)))
    }

    func getPipeline(_ input: Operations.GetPipeline.Input) async throws -> Operations.GetPipeline.Output {
        let caller = try RequestScope.requireCaller()
        try caller.require(caller.kind != .contact, "Contacts have no access to pipelines.")
        guard let model = try await pipelines.model(input.path.pipelineId, on: database.sql), caller.isTeamSide(of: model.pipeline.firmId) else {
            throw PipelineError.pipelineNotFound(input.path.pipelineId)
        }
        return .ok(.init(body: .json(model.wire)))
    }

    func renamePipeline(_ input: Operations.RenamePipeline.Input) async throws -> Operations.RenamePipeline.Output {
        guard case .json(let change) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let name = try StageRules.name(change.name, field: "name")
        return .ok(.init(body: .json(try await edit(input.path.pipelineId) { model in
            model.pipeline.name = name
            model.pipeline.nameKey = name.lowercased()
        }.wire)))
    }

    func deletePipeline(_ input: Operations.DeletePipeline.Input) async throws -> Operations.DeletePipeline.Output {
        let (_, firm) = try Self.editor()
        let (id, store, jobs) = (input.path.pipelineId, pipelines, jobs)
        try await database.transaction { tx in
            guard let model = try await store.model(id, lock: true, on: tx), model.pipeline.firmId == firm else { throw PipelineError.pipelineNotFound(id) }
            let held = try await jobs.count(pipeline: id, on: tx)
            guard held == 0 else {
                throw PipelineError.conflict("\(model.pipeline.name) holds \(held) job\(held == 1 ? "" : "s"); move them to another pipeline first.")
            }
            try await store.delete(id, on: tx)
        }
        return .noContent(.init())
    }

    func addStage(_ input: Operations.AddStage.Input) async throws -> Operations.AddStage.Output {
        guard case .json(let draft) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let id = input.path.pipelineId
        let stage = try StageRules.stage(draft, pipeline: id)
        return .created(.init(body: .json(try await edit(id) { model in
            let at = min(draft.position ?? model.stages.count, model.stages.count)
            model.stages.insert(stage, at: at)
        }.wire)))
    }

    func reorderStages(_ input: Operations.ReorderStages.Input) async throws -> Operations.ReorderStages.Output {
        guard case .json(let order) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        return .ok(.init(body: .json(try await edit(input.path.pipelineId) { model in
            guard order.stageIds.count == model.stages.count, Set(order.stageIds) == Set(model.stages.map(\.id)) else {
                throw PipelineError.invalid("stageIds must name every stage of the pipeline once.")
            }
            let byID = Dictionary(uniqueKeysWithValues: model.stages.map { ($0.id, $0) })
            model.stages = order.stageIds.compactMap { byID[$0] }
        }.wire)))
    }

    func updateStage(_ input: Operations.UpdateStage.Input) async throws -> Operations.UpdateStage.Output {
        guard case .json(let change) = input.body else { throw PipelineError.invalid("Expected a JSON body.") }
        let name = try change.name.map { try StageRules.name($0, field: "A stage's name") }
        let condition = try StageRules.condition(change.condition)
        guard condition == nil || change.clearCondition != true else { throw PipelineError.invalid("Give condition or clearCondition, not both.") }
        let stageID = input.path.stageId
        return .ok(.init(body: .json(try await edit(input.path.pipelineId) { model in
            guard let index = model.stages.firstIndex(where: { $0.id == stageID }) else { throw PipelineError.stageNotFound(stageID) }
            if let name { model.stages[index].name = name }
            if let automove = change.automove { model.stages[index].automove = automove ? 1 : 0 }
            if let condition { model.stages[index].condition = condition.json }
            if change.clearCondition == true { model.stages[index].condition = nil }
        }.wire)))
    }

    func deleteStage(_ input: Operations.DeleteStage.Input) async throws -> Operations.DeleteStage.Output {
        let (caller, _) = try Self.editor()
        let (stageID, pipelineID) = (input.path.stageId, input.path.pipelineId)
        let held = try await jobs.jobIDs(inStage: stageID, on: database.sql)
        if !held.isEmpty {
            guard let targetID = input.query.moveJobsTo else {
                throw PipelineError.conflict("The stage holds \(held.count) job\(held.count == 1 ? "" : "s"); say where they go with moveJobsTo.")
            }
            guard targetID != stageID, let model = try await pipelines.model(pipelineID, on: database.sql),
                  model.pipeline.firmId == caller.firmID, let target = model.stages.first(where: { $0.id == targetID }) else {
                throw PipelineError.invalid("moveJobsTo must name another stage of this pipeline.")
            }
            for id in held {
                // Their items stay linked and open: the person chose where the jobs go, not what becomes of the items.
                if let job = try await jobs.job(id, on: database.sql), job.stageId == stageID {
                    _ = try await move(job, to: target, by: Mover(caller), unfinished: .keep, work: [])
                }
            }
        }
        return .ok(.init(body: .json(try await edit(pipelineID) { model in
            guard let index = model.stages.firstIndex(where: { $0.id == stageID }) else { throw PipelineError.stageNotFound(stageID) }
            model.stages.remove(at: index)
        }.wire)))
    }

    /// Applies `change` to the caller's firm's pipeline, locked, checks the stages and saves it.
    func edit(_ id: String, _ change: @escaping @Sendable (inout PipelineModel) throws -> Void) async throws -> PipelineModel {
        let (_, firm) = try Self.editor()
        let store = pipelines
        return try await database.transaction { tx in
            guard var model = try await store.model(id, lock: true, on: tx), model.pipeline.firmId == firm else { throw PipelineError.pipelineNotFound(id) }
            try change(&model)
            model.stages = try StageRules.settled(model.stages)
            try model.settleAutomations()
            model.pipeline.updatedAt = EpochMillis.now()
            guard try await store.update(model, on: tx) else { throw PipelineError.conflict("The firm has a pipeline named \(model.pipeline.name).") }
            return model
        }
    }

    /// The calling owner or admin and their firm.
    static func editor() throws -> (Caller, String) {
        let caller = try RequestScope.requireCaller()
        guard caller.isFirmAdmin, caller.portalView == nil, let firm = caller.firmID else {
            throw PipelineError.notAllowed("Only the firm's owners and admins edit pipelines.")
        }
        return (caller, firm)
    }
}
