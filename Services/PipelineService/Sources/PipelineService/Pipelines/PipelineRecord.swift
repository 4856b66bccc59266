import AtriumRuntime
import Foundation
import PipelineAPI

/// A row of `pipelines`.
struct PipelineRecord: Codable, Sendable, Equatable {
    var id: String
    var firmId: String
    var name: String
    /// The name lower-cased: unique in the firm.
    var nameKey: String
    var createdBy: String
    var createdAt: Int64
    var updatedAt: Int64
}

/// A row of `stages`: one step of a pipeline, at `position` (0-based).
struct StageRecord: Codable, Sendable, Equatable {
    var id: String
    var pipelineId: String
    var name: String
    var position: Int64
    var automove: Int64
    /// JSON of `TagCondition`, or nil: the stage applies to every job.
    var condition: String?

    var tagCondition: TagCondition? {
        condition.flatMap { try? JSONDecoder().decode(TagCondition.self, from: Data($0.utf8)) }
    }
}

/// A stage's (later an automation's) condition on the account's tags.
struct TagCondition: Codable, Sendable, Equatable {
    enum Match: String, Codable, Sendable {
        case any, all, none
    }

    var match: Match
    var tagIds: [String]

    /// Whether an account with `tags` meets it.
    func admits(_ tags: Set<String>) -> Bool {
        switch match {
        case .any: tagIds.contains(where: tags.contains)
        case .all: tagIds.allSatisfy(tags.contains)
        case .none: !tagIds.contains(where: tags.contains)
        }
    }

    var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("null".utf8), as: UTF8.self) }
}

/// A pipeline with its stages in order, and each stage's automations in run order.
struct PipelineModel: Sendable, Equatable {
    var pipeline: PipelineRecord
    var stages: [StageRecord]
    /// Every stage's automations, ordered by stage then position.
    var automations: [AutomationRecord] = []

    func automations(of stageID: String) -> [AutomationRecord] {
        automations.filter { $0.stageId == stageID }.sorted { $0.position < $1.position }
    }

    /// The automations of stages still in the pipeline, renumbered per stage in their order in `automations`.
    mutating func settleAutomations() throws {
        let all = automations
        automations = try stages.flatMap { stage in try AutomationRules.settled(all.filter { $0.stageId == stage.id }) }
    }

    var wire: Components.Schemas.Pipeline {
        .init(id: pipeline.id, name: pipeline.name, stages: stages.map { stage in
            let automations = automations(of: stage.id)
            return .init(id: stage.id, name: stage.name, position: Int(stage.position), automove: stage.automove != 0,
                         condition: stage.tagCondition?.wire, automations: automations.map(\.wire), summary: Self.summary(automations))
        }, createdAt: EpochMillis.date(millis: pipeline.createdAt), updatedAt: EpochMillis.date(millis: pipeline.updatedAt))
    }

    /// What the pipeline view shows of a stage: how many automations, the templates they use, how many are conditional.
    static func summary(_ automations: [AutomationRecord]) -> Components.Schemas.StageSummary {
        .init(automations: automations.count, conditional: automations.filter { $0.condition != nil }.count,
              templates: automations.compactMap { automation in
                  automation.settings.templateId.map { .init(_type: automation.wire._type, templateId: $0) }
              })
    }
}
