import AtriumRuntime
import SQLKit

/// Storage of pipelines and their stages: one SQL code path for SQLite and PostgreSQL.
struct PipelineStore: Sendable {
    /// `Database.forUpdate`: how `model(_:lock:on:)` keeps the pipeline row until the transaction ends.
    let forUpdate: String

    func model(_ id: String, lock: Bool = false, on db: any SQLDatabase) async throws -> PipelineModel? {
        guard let pipeline = try await db.row(PipelineRecord.self, from: "pipelines", is: id, lock: lock ? forUpdate : "") else { return nil }
        return PipelineModel(pipeline: pipeline, stages: try await stages(of: [id], on: db)[id] ?? [],
                             automations: try await automations(of: [id], on: db)[id] ?? [])
    }

    /// The firm's pipelines in name order, with their stages.
    func models(firm: String, on db: any SQLDatabase) async throws -> [PipelineModel] {
        let pipelines = try await db.select().column("*").from("pipelines").where("firm_id", .equal, SQLBind(firm)).orderBy("name_key")
            .all(decoding: PipelineRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        let stages = try await stages(of: pipelines.map(\.id), on: db)
        let automations = try await automations(of: pipelines.map(\.id), on: db)
        return pipelines.map { PipelineModel(pipeline: $0, stages: stages[$0.id] ?? [], automations: automations[$0.id] ?? []) }
    }

    private func stages(of pipelines: [String], on db: any SQLDatabase) async throws -> [String: [StageRecord]] {
        guard !pipelines.isEmpty else { return [:] }
        let rows = try await db.select().column("*").from("stages").where("pipeline_id", .in, SQLBind.group(pipelines))
            .orderBy("pipeline_id").orderBy("position").all(decoding: StageRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        return Dictionary(grouping: rows, by: \.pipelineId)
    }

    private func automations(of pipelines: [String], on db: any SQLDatabase) async throws -> [String: [AutomationRecord]] {
        guard !pipelines.isEmpty else { return [:] }
        let rows = try await db.select().column("*").from("automations").where("pipeline_id", .in, SQLBind.group(pipelines))
            .orderBy("pipeline_id").orderBy("stage_id").orderBy("position")
            .all(decoding: AutomationRecord.self, keyDecodingStrategy: .snakeCaseColumns)
        return Dictionary(grouping: rows, by: \.pipelineId)
    }

    /// A stage's automations in run order, as they are now.
    func automations(ofStage stageID: String, on db: any SQLDatabase) async throws -> [AutomationRecord] {
        try await db.select().column("*").from("automations").where("stage_id", .equal, SQLBind(stageID)).orderBy("position")
            .all(decoding: AutomationRecord.self, keyDecodingStrategy: .snakeCaseColumns)
    }

    /// A stage by id, with its pipeline's id.
    func stage(_ id: String, on db: any SQLDatabase) async throws -> StageRecord? {
        try await db.row(StageRecord.self, from: "stages", is: id)
    }

    /// Inserts the pipeline and its stages; false when the firm has a pipeline of that name.
    func insert(_ model: PipelineModel, on db: any SQLDatabase) async throws -> Bool {
        let inserted = try await Database.unlessUniqueViolation {
            try await db.insert(into: "pipelines").model(model.pipeline, keyEncodingStrategy: .convertToSnakeCase).run()
        }
        guard inserted else { return false }
        try await saveStages(of: model, on: db)
        return true
    }

    /// Saves the name and time, and replaces the stages with `model`'s (same ids, new order); false
    /// when the new name is another pipeline's.
    func update(_ model: PipelineModel, on db: any SQLDatabase) async throws -> Bool {
        let saved = try await Database.unlessUniqueViolation {
            try await db.update("pipelines").set("name", to: SQLBind(model.pipeline.name)).set("name_key", to: SQLBind(model.pipeline.nameKey))
                .set("updated_at", to: SQLBind(model.pipeline.updatedAt)).where("id", .equal, SQLBind(model.pipeline.id)).run()
        }
        guard saved else { return false }
        try await db.delete(from: "stages").where("pipeline_id", .equal, SQLBind(model.pipeline.id)).run()
        try await db.delete(from: "automations").where("pipeline_id", .equal, SQLBind(model.pipeline.id)).run()
        try await saveStages(of: model, on: db)
        return true
    }

    func delete(_ id: String, on db: any SQLDatabase) async throws {
        try await db.delete(from: "automations").where("pipeline_id", .equal, SQLBind(id)).run()
        try await db.delete(from: "stages").where("pipeline_id", .equal, SQLBind(id)).run()
        try await db.delete(from: "pipelines").where("id", .equal, SQLBind(id)).run()
    }

    private func saveStages(of model: PipelineModel, on db: any SQLDatabase) async throws {
        guard !model.stages.isEmpty else { return }
        try await db.insert(into: "stages").models(model.stages, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
        guard !model.automations.isEmpty else { return }
        try await db.insert(into: "automations").models(model.automations, keyEncodingStrategy: .convertToSnakeCase, nilEncodingStrategy: .asNil).run()
    }
}
