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

/// A pipeline with its stages in order.
struct PipelineModel: Sendable, Equatable {
    var pipeline: PipelineRecord
    var stages: [StageRecord]

    var wire: Components.Schemas.Pipeline {
        .init(id: pipeline.id, name: pipeline.name, stages: stages.map { stage in
            .init(id: stage.id, name: stage.name, position: Int(stage.position), automove: stage.automove != 0,
                  condition: stage.tagCondition.map { .init(match: .init(rawValue: $0.match.rawValue) ?? .any, tagIds: $0.tagIds) })
        }, createdAt: EpochMillis.date(millis: pipeline.createdAt), updatedAt: EpochMillis.date(millis: pipeline.updatedAt))
    }
}
